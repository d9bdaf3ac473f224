#include "store/hmac_sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

namespace fraudgate::store {
namespace {

constexpr size_t kBlockSize = 64;  // SHA-256's

// OpenSSL fails these only on allocation failure or a broken library.
void Check(int ok) {
  if (ok != 1) std::abort();
}

// A SHA-256 context that has absorbed the padded key xor-ed with `pad`.
EVP_MD_CTX* KeyedState(const std::array<unsigned char, kBlockSize>& key,
                       unsigned char pad) {
  std::array<unsigned char, kBlockSize> block;
  for (size_t i = 0; i < kBlockSize; ++i) block[i] = key[i] ^ pad;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) std::abort();
  Check(EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr));
  Check(EVP_DigestUpdate(ctx, block.data(), block.size()));
  return ctx;
}

}  // namespace

void HmacSha256::CtxFree::operator()(evp_md_ctx_st* ctx) const {
  EVP_MD_CTX_free(ctx);
}

HmacSha256::HmacSha256(std::string_view key) {
  std::array<unsigned char, kBlockSize> padded{};
  if (key.size() > kBlockSize) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(),
           padded.data());
  } else {
    std::copy(key.begin(), key.end(), padded.begin());
  }
  inner_.reset(KeyedState(padded, 0x36));
  outer_.reset(KeyedState(padded, 0x5c));
}

HmacSha256::~HmacSha256() = default;

std::string HmacSha256::Digest(std::string_view message) const {
  // One scratch context a thread, so a digest allocates no EVP_MD_CTX
  // (OpenSSL 3 still re-creates the digest's own state on each copy).
  thread_local Ctx scratch(EVP_MD_CTX_new());
  if (scratch == nullptr) std::abort();
  unsigned char inner[SHA256_DIGEST_LENGTH];
  unsigned char mac[SHA256_DIGEST_LENGTH];
  unsigned int size = 0;
  Check(EVP_MD_CTX_copy_ex(scratch.get(), inner_.get()));
  Check(EVP_DigestUpdate(scratch.get(), message.data(), message.size()));
  Check(EVP_DigestFinal_ex(scratch.get(), inner, &size));
  Check(EVP_MD_CTX_copy_ex(scratch.get(), outer_.get()));
  Check(EVP_DigestUpdate(scratch.get(), inner, sizeof(inner)));
  Check(EVP_DigestFinal_ex(scratch.get(), mac, &size));
  return std::string(reinterpret_cast<const char*>(mac), sizeof(mac));
}

}  // namespace fraudgate::store

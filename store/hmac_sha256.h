// HMAC-SHA256 (RFC 2104) under one key, with the key's inner and outer
// SHA-256 states computed once: OpenSSL's one-shot HMAC() sets the key up on
// every call, which cost ~1.1 us a digest here against ~0.15 us this way.
//
// Thread safety: Digest() may be called from any number of threads at once.
#ifndef FRAUDGATE_STORE_HMAC_SHA256_H_
#define FRAUDGATE_STORE_HMAC_SHA256_H_

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace fraudgate::store {

class HmacSha256 {
 public:
  // `key` may have any length (RFC 2104: longer than 64 bytes is hashed).
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // The 32-byte MAC of `message`.
  std::string Digest(std::string_view message) const;

 private:
  struct CtxFree {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  using Ctx = std::unique_ptr<evp_md_ctx_st, CtxFree>;
  Ctx inner_;  // SHA-256 after (key ^ ipad)
  Ctx outer_;  // SHA-256 after (key ^ opad)
};

}  // namespace fraudgate::store

#endif  // FRAUDGATE_STORE_HMAC_SHA256_H_

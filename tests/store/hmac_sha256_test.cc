#include "store/hmac_sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace fraudgate::store {
namespace {

// OpenSSL's one-shot HMAC, the reference.
std::string Reference(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       digest, &size);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

TEST(HmacSha256Test, MatchesOpenSslForEveryKeyLength) {
  // Empty, short, one block, and longer than a block (hashed first).
  for (size_t key_size : {0, 1, 32, 63, 64, 65, 200}) {
    std::string key;
    for (size_t i = 0; i < key_size; ++i)
      key.push_back(static_cast<char>(i * 7));
    const HmacSha256 mac(key);
    for (const std::string& message :
         {std::string(), std::string("PHONE||+84912345678"),
          std::string(1000, '\x5c')}) {
      SCOPED_TRACE(testing::Message()
                   << "key " << key_size << " message " << message.size());
      const std::string digest = mac.Digest(message);
      EXPECT_EQ(digest.size(), 32u);
      EXPECT_EQ(digest, Reference(key, message));
    }
  }
}

TEST(HmacSha256Test, DifferentKeysGiveDifferentDigests) {
  EXPECT_NE(HmacSha256("key one").Digest("x"),
            HmacSha256("key two").Digest("x"));
}

TEST(HmacSha256Test, ManyThreadsAtOnceAgreeWithOpenSsl) {
  const std::string key(32, 'k');
  const HmacSha256 mac(key);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string message = std::to_string(t * 100000 + i);
        if (mac.Digest(message) != Reference(key, message)) ++wrong[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace fraudgate::store

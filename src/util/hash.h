// Hashing (OpenSSL): SHA-256, the content address of blobs and the etag of files, and
// HMAC-SHA256, for stored API keys and webhook signatures.
#ifndef NEXUS_UTIL_HASH_H_
#define NEXUS_UTIL_HASH_H_

#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace nexus {

// The raw SHA-256 digest of `data` (32 bytes).
std::string Sha256(std::string_view data);
// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// SHA-256 of content that arrives in pieces (a file read in blocks, an upload's parts), so
// that hashing it never needs all of it in memory.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view data);
  // Lower-case hex of everything given to Update; the hasher is spent afterwards.
  std::string FinishHex();

 private:
  evp_md_ctx_st* ctx_;
};

// Lower-case hex HMAC-SHA256 of `data` under `key` (64 characters).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// True when `s` looks like a Sha256Hex result: 64 lower-case hex digits.
bool IsSha256Hex(std::string_view s);

}  // namespace nexus

#endif  // NEXUS_UTIL_HASH_H_

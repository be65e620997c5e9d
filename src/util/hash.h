// Hashing (OpenSSL): SHA-256, the content address of blobs and the etag of files, and
// HMAC-SHA256, for stored API keys and webhook signatures.
#ifndef NEXUS_UTIL_HASH_H_
#define NEXUS_UTIL_HASH_H_

#include <string>
#include <string_view>

namespace nexus {

// The raw SHA-256 digest of `data` (32 bytes).
std::string Sha256(std::string_view data);
// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// Lower-case hex HMAC-SHA256 of `data` under `key` (64 characters).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// True when `s` looks like a Sha256Hex result: 64 lower-case hex digits.
bool IsSha256Hex(std::string_view s);

}  // namespace nexus

#endif  // NEXUS_UTIL_HASH_H_

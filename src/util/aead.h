// Authenticated encryption of secrets at rest: AES-256-GCM (OpenSSL EVP).
//
// A sealed value is nonce (12 bytes) | ciphertext | tag (16 bytes). Every Seal draws a fresh
// random nonce, so sealing the same text twice gives different bytes. Open checks the tag:
// a changed byte, another key or other associated data is an error, never garbage.
#ifndef NEXUS_UTIL_AEAD_H_
#define NEXUS_UTIL_AEAD_H_

#include <string>
#include <string_view>

#include "util/status.h"

namespace nexus {

inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kAeadNonceBytes = 12;
inline constexpr size_t kAeadTagBytes = 16;

class Aead {
 public:
  // kInvalidArgument unless `key` is exactly kAeadKeyBytes raw bytes.
  static StatusOr<Aead> Create(std::string key);

  // `associated` is authenticated but not encrypted: it binds the value to its context (the
  // row it belongs to), so a sealed value copied elsewhere does not open.
  StatusOr<std::string> Seal(std::string_view plaintext, std::string_view associated) const;
  // kInternal when `sealed` is malformed, was changed, or was sealed under another key or
  // other associated data.
  StatusOr<std::string> Open(std::string_view sealed, std::string_view associated) const;

 private:
  explicit Aead(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace nexus

#endif  // NEXUS_UTIL_AEAD_H_

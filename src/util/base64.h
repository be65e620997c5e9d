// Standard base64 (RFC 4648, with padding), as the wire's bytes wrapper uses it.
#ifndef NEXUS_UTIL_BASE64_H_
#define NEXUS_UTIL_BASE64_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nexus {

std::string Base64Encode(std::string_view data);
// Appends the encoding of `data` to `out`.
void AppendBase64(std::string_view data, std::string* out);

// Strict decoding: only the standard alphabet, length a multiple of 4, padding only at the
// end. ASCII whitespace is skipped (some encoders wrap lines). kInvalidArgument otherwise.
StatusOr<std::string> Base64Decode(std::string_view text);
// The same, as the byte vector a JSON binary value holds, so a decoded file is not copied
// once more into one.
StatusOr<std::vector<uint8_t>> Base64DecodeBytes(std::string_view text);

// The URL- and filename-safe alphabet without padding (RFC 4648 §5), as PKCE code
// challenges and JSON Web Tokens use it.
std::string Base64UrlEncode(std::string_view data);
// Accepts the URL-safe alphabet with or without padding; kInvalidArgument otherwise.
StatusOr<std::string> Base64UrlDecode(std::string_view text);

}  // namespace nexus

#endif  // NEXUS_UTIL_BASE64_H_

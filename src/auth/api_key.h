// API key tokens: their format, generation and the keyed hash under which they are stored.
//
// The format and the hash are the reference's (spec/api.md §5.4), so that key rows carried
// over from it keep working: a key is stored only as HMAC-SHA256 with the fixed key
// "nexus-api-key-v1" over the whole token, never in the clear.
#ifndef NEXUS_AUTH_API_KEY_H_
#define NEXUS_AUTH_API_KEY_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace nexus::auth {

inline constexpr std::string_view kApiKeyPrefix = "sk-";
inline constexpr size_t kMinApiKeyLength = 32;  // the reference's rule
// Ours: generated keys are at most 66 bytes; anything much longer is junk, and bounding it
// keeps hashing and caching cheap under a flood of bad tokens.
inline constexpr size_t kMaxApiKeyLength = 256;

// Lower-case hex HMAC-SHA256 (64 characters) of `raw` with the key "nexus-api-key-v1".
std::string HashApiKey(std::string_view raw);

// The format check made before any lookup: starts with "sk-", 32 to 256 bytes, and only
// printable ASCII (0x20-0x7e).
bool IsWellFormedApiKey(std::string_view token);

// A new random key: "sk-" + "<tenant[:8]>_" (when the tenant is not empty) + prefix + "_" +
// 8 hex + "_" + 32 hex. Characters outside printable ASCII (and spaces) are dropped from
// the tenant and prefix first, so the result always passes IsWellFormedApiKey.
std::string GenerateApiKey(std::string_view tenant_id, std::string_view subject_prefix);

// The informational subject part of a generated key: user_id[:8] for user and service keys,
// subject_id[:12] for agent keys (counted in characters of the sanitised string).
std::string ApiKeySubjectPrefix(std::string_view subject_type, std::string_view user_id,
                                std::string_view subject_id);

}  // namespace nexus::auth

#endif  // NEXUS_AUTH_API_KEY_H_

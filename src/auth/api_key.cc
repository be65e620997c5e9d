#include "auth/api_key.h"

#include "util/hash.h"
#include "util/ids.h"

namespace nexus::auth {
namespace {

constexpr std::string_view kHmacKey = "nexus-api-key-v1";

bool IsPrintableAscii(char c) { return c >= 0x20 && c <= 0x7e; }

// The first `max_chars` printable, non-space ASCII characters of `s`: the embedded parts are
// informational, and dropping the rest keeps every generated key well-formed.
std::string Sanitize(std::string_view s, size_t max_chars) {
  std::string out;
  for (char c : s) {
    if (out.size() == max_chars) break;
    if (IsPrintableAscii(c) && c != ' ') out.push_back(c);
  }
  return out;
}

}  // namespace

std::string HashApiKey(std::string_view raw) { return HmacSha256Hex(kHmacKey, raw); }

bool IsWellFormedApiKey(std::string_view token) {
  if (token.size() < kMinApiKeyLength || token.size() > kMaxApiKeyLength) return false;
  if (token.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) return false;
  for (char c : token) {
    if (!IsPrintableAscii(c)) return false;
  }
  return true;
}

std::string GenerateApiKey(std::string_view tenant_id, std::string_view subject_prefix) {
  std::string key(kApiKeyPrefix);
  const std::string tenant = Sanitize(tenant_id, 8);
  if (!tenant.empty()) key += tenant + "_";
  key += Sanitize(subject_prefix, 12);
  key += "_" + RandomHex(4) + "_" + RandomHex(16);
  return key;
}

std::string ApiKeySubjectPrefix(std::string_view subject_type, std::string_view user_id,
                                std::string_view subject_id) {
  if (subject_type == "agent" && !subject_id.empty()) return Sanitize(subject_id, 12);
  return Sanitize(user_id, 8);
}

}  // namespace nexus::auth

#include "server/origin.h"

#include "util/ascii.h"
#include "util/url.h"

namespace nexus::server {
namespace {

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string_view WithoutTrailingSlash(std::string_view origin) {
  while (origin.ends_with('/')) origin.remove_suffix(1);
  return origin;
}

}  // namespace

bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowed) {
  for (const std::string& listed : allowed) {
    if (EqualsIgnoreCase(WithoutTrailingSlash(listed), WithoutTrailingSlash(origin))) return true;
  }
  StatusOr<HttpUrl> url = ParseHttpUrl(origin);
  if (!url.ok()) return false;
  // "127.evil.com" is a name, not an address: only dotted quads count as 127.0.0.0/8.
  if (url->host.starts_with("127.") &&
      url->host.find_first_not_of("0123456789.") != std::string::npos)
    return false;
  return IsLoopbackHost(url->host);
}

}  // namespace nexus::server

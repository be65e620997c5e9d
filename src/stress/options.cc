#include "stress/options.h"

#include "util/url.h"

namespace nexus::stress {

StatusOr<std::string> ServerUrl(std::string_view url) {
  std::string full(url);
  if (url.find("://") == std::string_view::npos) {
    const std::string_view authority = url.substr(0, url.find('/'));
    const size_t bracket = authority.rfind(']');  // an IPv6 literal's colons are not a port
    const bool has_port =
        authority.find(':', bracket == std::string_view::npos ? 0 : bracket) != authority.npos;
    full = "http://" + std::string(authority) + (has_port ? "" : ":8080") +
           std::string(url.substr(authority.size()));
  }
  StatusOr<HttpUrl> parsed = ParseHttpUrl(full);
  if (!parsed.ok()) return InvalidArgument("server URL: " + parsed.status().message());
  if (parsed->target.find('?') != std::string::npos)
    return InvalidArgument("server URL: a base URL has no query: " + std::string(url));
  return full;
}

}  // namespace nexus::stress

#include "stress/options.h"

#include <charconv>

namespace nexus::stress {

StatusOr<ServerAddress> ParseUrl(std::string_view url) {
  ServerAddress address;
  address.port = 8080;
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
    address.port = 80;
  } else if (url.find("://") != std::string_view::npos) {
    return InvalidArgument("only http:// URLs are supported: " + std::string(url));
  }
  if (url.ends_with('/')) url.remove_suffix(1);
  if (url.find('/') != std::string_view::npos) {
    return InvalidArgument("the URL must name a server, not a path: " + std::string(url));
  }
  const size_t colon = url.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = url.substr(colon + 1);
    int value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      return InvalidArgument("bad port in URL: " + std::string(url));
    }
    address.port = static_cast<uint16_t>(value);
    url = url.substr(0, colon);
  }
  if (url.empty()) return InvalidArgument("the URL has no host");
  address.host = std::string(url);
  return address;
}

}  // namespace nexus::stress

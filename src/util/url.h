// Absolute http(s) URLs, parsed once where an outbound request is made: the server
// sends requests only to what ParseHttpUrl accepted.
#ifndef NEXUS_UTIL_URL_H_
#define NEXUS_UTIL_URL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace nexus {

inline constexpr size_t kMaxUrlBytes = 2048;

struct HttpUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-cased; an IPv6 literal without its brackets
  uint16_t port = 0;   // as written, or 80 / 443 for the scheme
  std::string target;  // path and query as written, "/" when both are empty

  bool https() const { return scheme == "https"; }
  bool default_port() const { return port == (https() ? 443 : 80); }
  // The Host header's value: "host", "host:8080", "[::1]:8080".
  std::string HostHeader() const;
};

// Accepts "http://host[:port][/path][?query][#fragment]" and the same for https; the
// fragment is dropped (it never goes on the wire). kInvalidArgument, with a message that
// says why, for any other scheme, a missing host, user info ("user:pass@"), a port that is
// not 1-65535, spaces, control or non-ASCII bytes (they must be percent-encoded), or a URL
// longer than kMaxUrlBytes.
StatusOr<HttpUrl> ParseHttpUrl(std::string_view url);

}  // namespace nexus

#endif  // NEXUS_UTIL_URL_H_

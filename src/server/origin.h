// Which web origins may talk to /mcp. The MCP transport requires servers to check Origin, so
// that a page a browser loaded from elsewhere (a DNS-rebinding page that resolves to this
// server included) cannot drive a local server. Requests without Origin (every client but a
// browser) are not affected.
#ifndef NEXUS_SERVER_ORIGIN_H_
#define NEXUS_SERVER_ORIGIN_H_

#include <string>
#include <string_view>
#include <vector>

namespace nexus::server {

// True for a page served from this machine (http(s) on localhost, 127.0.0.0/8 or [::1]) and
// for an origin listed in `allowed` ("https://app.example.com", compared without case and
// trailing '/'). False for anything else, the opaque origin "null" included.
bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowed);

}  // namespace nexus::server

#endif  // NEXUS_SERVER_ORIGIN_H_

// The HTTP messages the client exchanges with a server: plain structs, so that callers
// (the command line, the MCP bridge, the mount) never see the HTTP library underneath.
#ifndef NEXUS_CLIENT_HTTP_H_
#define NEXUS_CLIENT_HTTP_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nexus::client {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";  // path and query, below the client's base URL
  HttpHeaders headers;       // Host, Content-Length and Connection are the client's
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  // The first header of that name (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const;
};

}  // namespace nexus::client

#endif  // NEXUS_CLIENT_HTTP_H_

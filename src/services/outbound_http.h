// Requests this server sends to other servers: OAuth token endpoints and webhook receivers.
// Services see only this interface; the implementation (server/outbound_http_client.h, Beast
// and OpenSSL) is wired in by cli, and tests substitute their own.
#ifndef NEXUS_SERVICES_OUTBOUND_HTTP_H_
#define NEXUS_SERVICES_OUTBOUND_HTTP_H_

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "util/status.h"

namespace nexus::services {

struct OutboundRequest {
  std::string method = "POST";
  std::string url;  // http:// or https://; anything else is kInvalidArgument
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The whole exchange (resolve, connect, TLS, send, receive) must finish within this.
  std::chrono::milliseconds timeout{10000};
  // For URLs a user chose (webhooks): refuse, with kPermissionDenied, a host that resolves to
  // any address that is not public (util/ip_address.h), whatever form the host is written in.
  // The connection goes to the addresses checked, so a name cannot be re-resolved elsewhere.
  bool public_addresses_only = false;
};

struct OutboundResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::string body;
};

class OutboundHttp {
 public:
  virtual ~OutboundHttp() = default;

  // Any HTTP answer, 4xx and 5xx included, is a response. Failing to get one is an error
  // whose message names the URL's host and what failed: kInvalidArgument for a URL that is
  // not http(s), kIOError for resolution, connection, TLS verification, a timeout or a
  // response body over 8 MiB. Redirects are not followed: a 3xx is returned as it is. A
  // failed exchange names its step in the detail "step": "resolve", "connect", "TLS
  // handshake" (nothing was sent yet), "send" or "receive".
  virtual StatusOr<OutboundResponse> Send(const OutboundRequest& request) = 0;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_OUTBOUND_HTTP_H_

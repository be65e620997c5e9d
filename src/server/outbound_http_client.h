// The real services::OutboundHttp: HTTP/1.1 over TCP, or over TLS with the peer's chain and
// host name verified, one connection per request. Beast and OpenSSL stay in the .cc file.
#ifndef NEXUS_SERVER_OUTBOUND_HTTP_CLIENT_H_
#define NEXUS_SERVER_OUTBOUND_HTTP_CLIENT_H_

#include <cstddef>
#include <memory>
#include <string>

#include "services/outbound_http.h"
#include "util/status.h"

namespace nexus::server {

struct OutboundHttpOptions {
  // PEM file of the certificates to trust for https; empty trusts the system store.
  std::string ca_file;
  // A longer response body fails the request instead of filling memory.
  size_t max_response_bytes = 8 << 20;
};

class OutboundHttpClient final : public services::OutboundHttp {
 public:
  // kInvalidArgument when the CA certificates cannot be loaded, so a bad ca_file fails at
  // startup rather than at the first request.
  static StatusOr<std::unique_ptr<OutboundHttpClient>> Create(OutboundHttpOptions options);
  ~OutboundHttpClient() override;
  OutboundHttpClient(const OutboundHttpClient&) = delete;
  OutboundHttpClient& operator=(const OutboundHttpClient&) = delete;

  // Safe to call from many threads at once: each call has its own connection and event
  // loop, and the TLS context they share is not changed after Create.
  StatusOr<services::OutboundResponse> Send(const services::OutboundRequest& request) override;

 private:
  struct Tls;

  OutboundHttpClient(OutboundHttpOptions options, std::unique_ptr<Tls> tls);

  const OutboundHttpOptions options_;
  const std::unique_ptr<Tls> tls_;
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_OUTBOUND_HTTP_CLIENT_H_

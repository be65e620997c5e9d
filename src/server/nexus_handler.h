// The routes of the Nexus HTTP API (api.md §2.1): health, whoami, status, metrics and the
// JSON-RPC endpoint. Authentication happens here; the RPC itself is the rpc module's.
#ifndef NEXUS_SERVER_NEXUS_HANDLER_H_
#define NEXUS_SERVER_NEXUS_HANDLER_H_

#include "auth/authenticator.h"
#include "rpc/dispatcher.h"
#include "server/metrics.h"
#include "server/request_handler.h"

namespace nexus::server {

class NexusHandler final : public RequestHandler {
 public:
  // All three must outlive the handler.
  NexusHandler(const rpc::Dispatcher& dispatcher, const auth::Authenticator& authenticator,
               Metrics& metrics);

  HttpResponse Handle(const HttpRequest& req) override;
  bool NeedsWorker(const HttpRequest& req) const override;

 private:
  HttpResponse Rpc(const HttpRequest& req, std::string_view method);
  HttpResponse Whoami(const HttpRequest& req);
  HttpResponse Status() const;

  const rpc::Dispatcher& dispatcher_;
  const auth::Authenticator& authenticator_;
  Metrics& metrics_;
  const std::string status_body_;  // the method list never changes while running
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_NEXUS_HANDLER_H_

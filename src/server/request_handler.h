// The interface between the HTTP server and the application (routing, RPC).
#ifndef NEXUS_SERVER_REQUEST_HANDLER_H_
#define NEXUS_SERVER_REQUEST_HANDLER_H_

#include "server/http_types.h"

namespace nexus::server {

// Implementations must be thread-safe: Handle runs on many threads at once.
class RequestHandler {
 public:
  virtual ~RequestHandler();

  // Produces the response for `req`. May block on the database when NeedsWorker(req) is
  // true. An exception escaping Handle becomes a 500 (and a log line), never a crash.
  virtual HttpResponse Handle(const HttpRequest& req) = 0;

  // False when Handle(req) is cheap and never blocks (for example /health or /metrics): it
  // then runs directly on an I/O thread, skipping the worker queue, so it answers even when
  // the pool is saturated. True sends it through the bounded worker pool. Called on an I/O
  // thread, so it must itself be cheap (look at method and path only).
  virtual bool NeedsWorker(const HttpRequest& req) const = 0;
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_REQUEST_HANDLER_H_

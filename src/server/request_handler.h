// The interface between the HTTP server and the application (routing, RPC).
#ifndef NEXUS_SERVER_REQUEST_HANDLER_H_
#define NEXUS_SERVER_REQUEST_HANDLER_H_

#include <cstddef>
#include <optional>

#include "server/http_types.h"

namespace nexus::server {

// Bodies up to this size are read together with their head, as they always were: the common
// small request stays on the fast path. A larger body, or a chunked one (its size unknown),
// is first checked against MaxBodyBytes and admitted by AdmitBody, and only then read.
inline constexpr size_t kSmallBodyBytes = 64 << 10;

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

  // The largest body `head` (a request whose body is not read yet, so empty) may carry;
  // larger ones get 413 without being read. Asked only for bodies over kSmallBodyBytes and
  // chunked ones, on an I/O thread, so it must be cheap (look at method and path only).
  // The server's own limit (ServerOptions::body_limit) applies as well. The default: none.
  virtual size_t MaxBodyBytes(const HttpRequest& head) const;

  // Whether the body of `head` (over kSmallBodyBytes, or chunked) is worth reading: none to
  // read it and go on to Handle, or the response to send instead, for example a 401 to a
  // caller without credentials. A refused body is never read, and the connection is closed
  // after the response. Runs on a worker thread, so it may block on the database like
  // Handle; an exception becomes a 500. The default admits every request.
  virtual std::optional<HttpResponse> AdmitBody(const HttpRequest& head);
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_REQUEST_HANDLER_H_

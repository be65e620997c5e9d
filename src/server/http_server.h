// The HTTP/1.1 server: accepts connections, parses requests, hands them to a
// RequestHandler, and writes the responses back (spec/api.md §1, DESIGN.md §4).
//
// Threads: `io_threads` threads run all socket I/O and never block; requests whose handler
// may block go through a bounded WorkerPool, and a full pool answers 503 at once. The
// transport behaviour of the reference server (CORS, gzip) is applied here so handlers only
// produce application responses. Boost.Beast stays inside http_server.cc.
#ifndef NEXUS_SERVER_HTTP_SERVER_H_
#define NEXUS_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "server/metrics.h"
#include "server/request_handler.h"
#include "util/status.h"

namespace nexus::server {

struct ServerOptions {
  std::string host = "0.0.0.0";  // an IP address or a resolvable name
  uint16_t port = 8080;          // 0 picks a free port (see HttpServer::port())
  int io_threads = 2;
  int workers = 16;
  size_t queue_capacity = 256;   // requests waiting for a worker before 503s start
  size_t body_limit = 64 << 20;  // larger bodies get 413 and the connection is closed
  // Bytes of request bodies held in memory at once, across all connections. A body over
  // kSmallBodyBytes is charged body_memory_factor times its length (see below) from before
  // it is read until its response is produced. One that does not fit gets 503 with
  // Retry-After without being read; one that could never fit, 413. Smaller bodies are not
  // charged: like a request head, they cost each connection a small bounded amount.
  size_t body_memory_budget = 256 << 20;
  // What handling a body costs in memory per byte of it: the body, plus what the handler
  // builds from it. 4 is what the Nexus handler was measured to need for a `write` (the
  // body, the JSON parser's buffer and tree, the decoded content; docs/performance.md,
  // "Request bodies in memory"). A chunked body is charged one byte per byte more, for the
  // slack of the buffer that grows to hold it.
  size_t body_memory_factor = 4;
  size_t header_limit = 64 << 10;  // larger request heads get 431 and a close
  // From the first byte of a request to its last (head and body). Slow senders are cut
  // off (slowloris defence); a new connection must complete its first request within it.
  std::chrono::seconds header_timeout{30};
  // How long a keep-alive connection may sit idle between requests.
  std::chrono::seconds idle_timeout{60};
  // A request still queued this long after it arrived is answered 503 without running; the
  // handler sees it as HttpRequest::deadline. Also bounds the time to write a response.
  std::chrono::seconds request_deadline{60};
  // How long Stop() waits for in-flight requests to be answered.
  std::chrono::seconds drain_timeout{5};
};

class HttpServer {
 public:
  // `handler` and `metrics` must outlive the server.
  HttpServer(ServerOptions options, RequestHandler& handler, Metrics& metrics);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens, then starts the I/O threads. Call once.
  Status Start();

  // The bound port (the chosen one when ServerOptions::port was 0); 0 before Start.
  uint16_t port() const;

  // Stops accepting, closes idle connections, lets requests already read finish and their
  // responses be written (up to drain_timeout), then runs what is still queued on the
  // worker pool, stops the I/O threads and joins every thread. The handler is not called
  // after Stop returns. Idempotent; safe without Start.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_HTTP_SERVER_H_

// An HTTP/1.1 (or HTTPS) server on 127.0.0.1 for tests that need the other end of an
// outbound request: an OAuth token endpoint, a webhook receiver. Each connection gets its
// own thread, carries one request, and is closed after the reply. Every request is logged
// before the handler runs, so a test can wait for a delivery whose reply is still pending.
#ifndef NEXUS_TESTING_LOOPBACK_HTTP_SERVER_H_
#define NEXUS_TESTING_LOOPBACK_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "server/http_types.h"
#include "testing/tls_identity.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::test {

struct ReceivedRequest {
  std::string method;
  std::string target;
  server::HeaderList headers;  // names as sent
  std::string body;
  std::string server_name;  // the TLS SNI the client sent; "" without TLS or SNI

  std::string Header(std::string_view name) const;  // case-insensitive, "" when absent
};

struct CannedReply {
  int status = 200;
  server::HeaderList headers;
  std::string body;
};

class LoopbackHttpServer {
 public:
  // Runs on any thread the server owns, possibly several at once.
  using Handler = std::function<CannedReply(const ReceivedRequest&)>;

  // Listens on 127.0.0.1 on a free port; with `tls` it speaks HTTPS with that identity.
  // Aborts when it cannot listen.
  explicit LoopbackHttpServer(Handler handler, const TlsIdentity* tls = nullptr);
  // Stops accepting, cuts open connections and waits for running handlers to return.
  ~LoopbackHttpServer();
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  uint16_t port() const;
  // "http://127.0.0.1:<port><path>" ("https://..." with TLS).
  std::string url(std::string_view path) const;

  std::vector<ReceivedRequest> requests() const;
  size_t request_count() const;
  // True once `n` requests have arrived, false when `timeout` passes first.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;  // Asio and OpenSSL stay out of this header

  void AcceptLoop() EXCLUDES(mu_);
  // Logs `request`, wakes WaitForRequests and asks the handler for the reply.
  CannedReply Respond(ReceivedRequest request);

  const Handler handler_;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};

  mutable Mutex mu_;
  mutable CondVar arrived_;
  std::vector<ReceivedRequest> requests_ GUARDED_BY(mu_);
  std::set<int> open_fds_ GUARDED_BY(mu_);  // shut down by the destructor
  std::vector<std::thread> connections_ GUARDED_BY(mu_);
  std::thread acceptor_;  // started last in the constructor, joined first in the destructor
};

}  // namespace nexus::test

#endif  // NEXUS_TESTING_LOOPBACK_HTTP_SERVER_H_

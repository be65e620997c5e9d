// One keep-alive HTTP/1.1 connection to a server, over TCP or over TLS with the server's
// certificate chain and name verified. Used by one thread at a time (the pool hands it
// out); Beast and OpenSSL stay in the .cc file.
#ifndef NEXUS_CLIENT_HTTP_CONNECTION_H_
#define NEXUS_CLIENT_HTTP_CONNECTION_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "client/http.h"
#include "util/status.h"
#include "util/url.h"

namespace nexus::client {

using Deadline = std::chrono::steady_clock::time_point;

// What connections to one server share: its address and, for https, the TLS context with
// the certificates to trust. Immutable once made, so connections on many threads share it.
class Origin {
 public:
  // `ca_file`: PEM certificates to trust for https; empty trusts the system store.
  // kInvalidArgument when they cannot be loaded.
  static StatusOr<std::shared_ptr<const Origin>> Make(HttpUrl url, const std::string& ca_file);
  ~Origin();

  const HttpUrl& url() const { return url_; }
  // "https://host:port", the start of every transport error.
  std::string Name() const;

 private:
  friend class HttpConnection;
  struct Tls;

  Origin(HttpUrl url, std::unique_ptr<Tls> tls);

  const HttpUrl url_;
  const std::unique_ptr<Tls> tls_;  // null for http
};

// Why an exchange failed, so the caller can tell whether resending is safe.
enum class FailureStage {
  kConnect,  // nothing was sent
  kSend,     // the request was not (completely) written
  kReceive,  // the request was sent; the server may have acted on it
};

class HttpConnection {
 public:
  // Connects (and for https completes the handshake) before `deadline`. kUnavailable when
  // the server cannot be reached or the TLS handshake fails (the message says which).
  static StatusOr<std::unique_ptr<HttpConnection>> Open(std::shared_ptr<const Origin> origin,
                                                        Deadline deadline);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends `request` and reads the whole answer before `deadline`. A body longer than
  // `max_body` fails the exchange. On failure `*stage` says how far it got, and the
  // connection is no longer usable.
  StatusOr<HttpResponse> Exchange(const HttpRequest& request, Deadline deadline, size_t max_body,
                                  FailureStage* stage);

  // The exchange in its two steps, so that one thread can have requests in flight on several
  // connections: Write sends the request (a failure is FailureStage::kSend), Read reads its
  // answer (kReceive). After either fails, or a Write without its Read, the connection is
  // no longer usable.
  Status Write(const HttpRequest& request, Deadline deadline);
  StatusOr<HttpResponse> Read(Deadline deadline, size_t max_body);

  // For an answer that is a stream (Server-Sent Events): sends `request`, reads the head by
  // `deadline`, then hands the body to `on_bytes` as it arrives, each read waiting at most
  // `idle`, until the server ends it, `on_bytes` returns false, or a read fails. The answer's
  // status and headers (body empty for a 200). The connection is not reusable afterwards.
  StatusOr<HttpResponse> Stream(const HttpRequest& request, Deadline deadline,
                                std::chrono::milliseconds idle,
                                const std::function<bool(std::string_view)>& on_bytes);
  // False after a failure or a "Connection: close", and when the server has closed the
  // connection while it sat idle (checked without blocking).
  bool Reusable() const;

 private:
  struct Io;

  explicit HttpConnection(std::unique_ptr<Io> io);

  std::unique_ptr<Io> io_;
};

}  // namespace nexus::client

#endif  // NEXUS_CLIENT_HTTP_CONNECTION_H_

// One keep-alive HTTP/1.1 connection over POSIX sockets: what nexus-stress needs to drive a
// server, and no more (Content-Length bodies, no chunked encoding, no TLS). The tool keeps
// its own client rather than reuse testing/http_client: that one belongs to test code and
// depends on the server's header types, and a client must not link the server.
#ifndef NEXUS_STRESS_HTTP_CONNECTION_H_
#define NEXUS_STRESS_HTTP_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "util/status.h"

namespace nexus::stress {

struct ServerAddress {
  std::string host = "127.0.0.1";  // an IPv4 address or a name getaddrinfo resolves
  uint16_t port = 8080;
};

struct HttpReply {
  int status = 0;
  std::string body;
};

class HttpConnection {
 public:
  HttpConnection(ServerAddress address, std::chrono::milliseconds timeout);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends one request, connecting first when needed. `headers` are complete lines, each
  // ending in "\r\n". An error is a transport failure (kIOError).
  Status Send(const std::string& method, const std::string& target, const std::string& headers,
              const std::string& body);
  // Reads the answer to the last request sent.
  StatusOr<HttpReply> Receive();

  StatusOr<HttpReply> Request(const std::string& method, const std::string& target,
                              const std::string& headers, const std::string& body);

 private:
  Status Connect();
  // True when the server closed the idle connection (readable at EOF, or an error):
  // the request can then go on a new connection without having been seen by the server.
  bool ClosedByPeer() const;
  // Appends what arrives before the deadline to buffer_.
  Status Fill(std::chrono::steady_clock::time_point deadline);
  void Close();

  const ServerAddress address_;
  const std::chrono::milliseconds timeout_;
  int fd_ = -1;
  bool close_after_reply_ = false;  // the server said "Connection: close"
  std::string buffer_;              // received, not yet consumed
};

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_HTTP_CONNECTION_H_

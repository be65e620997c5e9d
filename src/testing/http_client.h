// A minimal blocking HTTP/1.1 client over POSIX sockets, for tests that talk to a real server over
// loopback. It speaks raw bytes so tests can also send what no real client would (half a header,
// garbage).
#ifndef NEXUS_TESTING_HTTP_CLIENT_H_
#define NEXUS_TESTING_HTTP_CLIENT_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/http_types.h"

namespace nexus::test {

struct ClientResponse {
  int status = 0;
  server::HeaderList headers;
  std::string body;

  std::string Header(std::string_view name) const;  // case-insensitive, "" when absent
  bool HasHeader(std::string_view name) const;
};

// "METHOD target HTTP/1.1" with Host, the given headers, and Content-Length when `body`
// is not empty.
std::string BuildRequest(std::string_view method, std::string_view target,
                         const server::HeaderList& headers = {}, std::string_view body = {});

// Decodes a gzip body as a client would for Content-Encoding: gzip; nullopt when invalid.
// One request on a fresh connection; status 0 when no complete response arrived.
ClientResponse Fetch(uint16_t port, std::string_view method, std::string_view target,
                     const server::HeaderList& headers = {}, std::string_view body = {});

std::optional<std::string> Gunzip(std::string_view data);

// A socket connected to 127.0.0.1:`port` (blocking, close-on-exec), or -1.
int ConnectLoopback(uint16_t port);

class TestHttpClient {
 public:
  // Connects to 127.0.0.1:`port`; connected() tells whether that worked.
  explicit TestHttpClient(uint16_t port);
  ~TestHttpClient();
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  // Writes all of `bytes`; false on error (for example the server closed).
  bool Send(std::string_view bytes);

  // Reads one response. A response to HEAD (`head_request`) has no body whatever its
  // Content-Length says. nullopt on timeout, close before a full response, or bad syntax.
  std::optional<ClientResponse> ReadResponse(
      bool head_request = false, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Sends BuildRequest(...) and reads the answer.
  std::optional<ClientResponse> Request(std::string_view method, std::string_view target,
                                        const server::HeaderList& headers = {},
                                        std::string_view body = {});

  // True when the server closes the connection within `timeout` (bytes that arrive
  // before the close are discarded).
  bool WaitForClose(std::chrono::milliseconds timeout);

 private:
  // Waits until `deadline` for bytes and reads at most `size` of them into `chunk`: how many,
  // 0 when the server closed or reset the connection, -1 at the deadline.
  ssize_t Receive(std::chrono::steady_clock::time_point deadline, char* chunk, size_t size);

  // Appends what arrives within the time left to buffer_; false on timeout, close or error.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;  // received, not yet consumed
};

}  // namespace nexus::test

#endif  // NEXUS_TESTING_HTTP_CLIENT_H_

#include "server/unix_socket_relay.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "server/http_server.h"
#include "testing/temp_dir.h"

namespace nexus::server {
namespace {

class Echo final : public RequestHandler {
 public:
  HttpResponse Handle(const HttpRequest& req) override {
    return JsonResponse(200, "{\"got\":" + JsonQuote(req.body) + "}");
  }
  bool NeedsWorker(const HttpRequest&) const override { return false; }
};

// Sends `request` over the Unix socket and returns everything until the peer closes.
std::string ExchangeOverUnixSocket(const std::string& path, const std::string& request) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "<connect failed>";
  }
  (void)::send(fd, request.data(), request.size(), 0);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

TEST(UnixSocketRelayTest, RelaysHttpToTheServer) {
  test::TempDir dir;
  Echo handler;
  Metrics metrics;
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  HttpServer server(options, handler, metrics);
  ASSERT_TRUE(server.Start().ok());
  const std::string path = dir.path() + "/nexus.sock";
  auto relay = UnixSocketRelay::Start(path, server.port());
  ASSERT_TRUE(relay.ok()) << relay.status().ToString();
  const std::string answer = ExchangeOverUnixSocket(
      path, "POST /x HTTP/1.1\r\nHost: l\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_NE(answer.find("200"), std::string::npos) << answer;
  EXPECT_NE(answer.find("{\"got\":\"hello\"}"), std::string::npos) << answer;
  relay->reset();
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << "the socket file is removed";
  server.Stop();
}

TEST(UnixSocketRelayTest, ReplacesAStaleSocketAndRefusesLongPaths) {
  test::TempDir dir;
  const std::string path = dir.path() + "/nexus.sock";
  auto first = UnixSocketRelay::Start(path, 1);
  ASSERT_TRUE(first.ok());
  first->reset();
  auto second = UnixSocketRelay::Start(path, 1);
  EXPECT_TRUE(second.ok());
  EXPECT_FALSE(UnixSocketRelay::Start(dir.path() + "/" + std::string(200, 'x'), 1).ok());
}

}  // namespace
}  // namespace nexus::server

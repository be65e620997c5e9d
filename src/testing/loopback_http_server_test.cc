#include "testing/loopback_http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "testing/http_client.h"

namespace nexus::test {
namespace {

using std::chrono::milliseconds;

CannedReply Echo(const ReceivedRequest& request) {
  return CannedReply{201, {{"X-Seen-Method", request.method}}, "echo:" + request.body};
}

TEST(LoopbackHttpServerTest, AnswersWithTheHandlersReplyAndLogsTheRequest) {
  LoopbackHttpServer server(Echo);
  const ClientResponse response =
      Fetch(server.port(), "POST", "/hook?x=1", {{"X-Signature", "abc"}}, "{\"a\":1}");
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.Header("x-seen-method"), "POST");
  EXPECT_EQ(response.Header("Connection"), "close");
  EXPECT_EQ(response.body, "echo:{\"a\":1}");

  ASSERT_EQ(server.request_count(), 1u);
  const ReceivedRequest request = server.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/hook?x=1");
  EXPECT_EQ(request.Header("x-signature"), "abc");
  EXPECT_EQ(request.Header("Host"), "127.0.0.1");
  EXPECT_EQ(request.Header("absent"), "");
  EXPECT_EQ(request.body, "{\"a\":1}");
}

TEST(LoopbackHttpServerTest, ClosesTheConnectionAfterEachReply) {
  LoopbackHttpServer server(Echo);
  TestHttpClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Request("GET", "/a").has_value());
  EXPECT_TRUE(client.WaitForClose(milliseconds(2000)));
}

TEST(LoopbackHttpServerTest, UrlNamesTheLoopbackPort) {
  LoopbackHttpServer server(Echo);
  EXPECT_NE(server.port(), 0);
  EXPECT_EQ(server.url("/token"), "http://127.0.0.1:" + std::to_string(server.port()) + "/token");
}

TEST(LoopbackHttpServerTest, LogsARequestBeforeItsReplyIsReady) {
  std::atomic<bool> release{false};
  LoopbackHttpServer server([&](const ReceivedRequest&) {
    while (!release) std::this_thread::sleep_for(milliseconds(1));
    return CannedReply{};
  });
  std::thread client([&] { EXPECT_EQ(Fetch(server.port(), "GET", "/slow").status, 200); });
  EXPECT_TRUE(server.WaitForRequests(1, milliseconds(5000)));
  EXPECT_FALSE(server.WaitForRequests(2, milliseconds(20)));
  release = true;
  client.join();
}

TEST(LoopbackHttpServerTest, ServesConcurrentClients) {
  LoopbackHttpServer server(Echo);
  constexpr int kClients = 8;
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      const ClientResponse response = Fetch(server.port(), "POST", "/", {}, std::to_string(i));
      EXPECT_EQ(response.body, "echo:" + std::to_string(i));
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_TRUE(server.WaitForRequests(kClients, milliseconds(0)));
  EXPECT_EQ(server.request_count(), static_cast<size_t>(kClients));
}

TEST(LoopbackHttpServerTest, StopsWhileAClientHoldsAConnectionOpen) {
  auto server = std::make_unique<LoopbackHttpServer>(Echo);
  TestHttpClient idle(server->port());
  ASSERT_TRUE(idle.connected());
  ASSERT_TRUE(idle.Send("GET / HTTP/1.1\r\nHo"));  // half a request, then nothing
  server.reset();
  EXPECT_TRUE(idle.WaitForClose(milliseconds(2000)));
}

TEST(LoopbackHttpServerTest, IgnoresGarbage) {
  LoopbackHttpServer server(Echo);
  TestHttpClient client(server.port());
  ASSERT_TRUE(client.Send("NOT HTTP AT ALL\r\n\r\n"));
  EXPECT_TRUE(client.WaitForClose(milliseconds(2000)));
  EXPECT_EQ(server.request_count(), 0u);
}

}  // namespace
}  // namespace nexus::test

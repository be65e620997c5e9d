#include "client/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <thread>

#include "testing/loopback_http_server.h"
#include "testing/temp_dir.h"
#include "testing/tls_identity.h"

namespace nexus::client {
namespace {

using test::CannedReply;
using test::LoopbackHttpServer;
using test::ReceivedRequest;

std::unique_ptr<Client> OpenClient(ClientOptions options) {
  StatusOr<std::unique_ptr<Client>> client = Client::Open(std::move(options));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(client).value() : nullptr;
}

ClientOptions For(const LoopbackHttpServer& server, std::string_view path = "") {
  ClientOptions options;
  options.url = server.url(path);
  options.api_key = "sk-test";
  options.timeout = std::chrono::milliseconds(5000);
  return options;
}

CannedReply RpcReply(std::string body) {
  return {200, {{"Content-Type", "application/json"}}, body};
}

TEST(Client, CallPostsTheEnvelopeAndReturnsTheResult) {
  LoopbackHttpServer server([](const ReceivedRequest& r) {
    StatusOr<Value> body = ParseJson(r.body);
    if (!body.ok()) return CannedReply{400, {}, "bad json"};
    Value answer = {{"jsonrpc", "2.0"}, {"id", (*body)["id"]}, {"result", (*body)["params"]}};
    return RpcReply(ToJson(answer));
  });
  auto client = OpenClient(For(server));
  Value params = {{"path", "/a"}, {"content", Value::Bytes(std::string("\0\xff", 2))}};
  StatusOr<Value> result = client->Call("write", params);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, params);
  ASSERT_EQ(server.request_count(), 1u);
  const ReceivedRequest request = server.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/api/nfs/write");
  EXPECT_EQ(request.Header("Authorization"), "Bearer sk-test");
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  StatusOr<Value> sent = ParseJson(request.body);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ((*sent)["method"].AsString(), "write");
  EXPECT_EQ((*sent)["jsonrpc"].AsString(), "2.0");
}

TEST(Client, KeepsTheBasePathOfTheUrl) {
  LoopbackHttpServer server(
      [](const ReceivedRequest&) { return RpcReply(R"({"jsonrpc":"2.0","id":1,"result":null})"); });
  auto client = OpenClient(For(server, "/nexus/"));
  ASSERT_TRUE(client->Call("exists").ok());
  EXPECT_EQ(server.requests()[0].target, "/nexus/api/nfs/exists");
}

TEST(Client, AnRpcErrorKeepsTheServersCodeAndMessage) {
  LoopbackHttpServer server([](const ReceivedRequest&) {
    return RpcReply(
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"File not found: /x"}})");
  });
  auto client = OpenClient(For(server));
  StatusOr<Value> result = client->Call("read", {{"path", "/x"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kNotFound);
  EXPECT_EQ(result.status().message(), "File not found: /x");
  EXPECT_EQ(result.status().detail("rpc_code"), "-32000");
}

TEST(Client, ARefusedKeyIsUnauthenticatedWithTheServersWords) {
  LoopbackHttpServer server([](const ReceivedRequest&) {
    return CannedReply{401, {}, R"({"detail":"Invalid or missing API key"})"};
  });
  auto client = OpenClient(For(server));
  StatusOr<Value> result = client->Call("list");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnauthenticated);
  EXPECT_NE(result.status().message().find("Invalid or missing API key"), std::string::npos);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(Client, AnHttpErrorCarriesItsStatus) {
  LoopbackHttpServer server([](const ReceivedRequest&) { return CannedReply{500, {}, "boom"}; });
  auto client = OpenClient(For(server));
  StatusOr<Value> result = client->Call("list");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kIOError);
  EXPECT_EQ(result.status().detail("http_status"), "500");
  EXPECT_EQ(result.status().detail("rpc_code"), "");
}

TEST(Client, AnAnswerThatIsNotJsonRpcIsAnIOError) {
  LoopbackHttpServer server([](const ReceivedRequest&) { return RpcReply("<html>proxy</html>"); });
  auto client = OpenClient(For(server));
  StatusOr<Value> result = client->Call("list");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kIOError);
}

TEST(Client, Busy503IsResentAfterRetryAfter) {
  std::atomic<int> calls{0};
  LoopbackHttpServer server([&calls](const ReceivedRequest&) {
    if (calls++ == 0) return CannedReply{503, {{"Retry-After", "0"}}, "busy"};
    return RpcReply(R"({"jsonrpc":"2.0","id":1,"result":{"ok":true}})");
  });
  auto client = OpenClient(For(server));
  StatusOr<Value> result = client->Call("mkdir", {{"path", "/d"}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE((*result)["ok"].AsBool());
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(Client, AServerBusyToTheEndIsUnavailableAfterMaxAttempts) {
  LoopbackHttpServer server([](const ReceivedRequest&) {
    return CannedReply{503, {{"Retry-After", "0"}}, "busy"};
  });
  ClientOptions options = For(server);
  options.max_attempts = 3;
  auto client = OpenClient(options);
  StatusOr<Value> result = client->Call("list");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(Client, ATimeoutIsUnavailableAndSaysSo) {
  LoopbackHttpServer server([](const ReceivedRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    return RpcReply(R"({"jsonrpc":"2.0","id":1,"result":null})");
  });
  ClientOptions options = For(server);
  options.timeout = std::chrono::milliseconds(150);
  auto client = OpenClient(options);
  StatusOr<Value> result = client->Call("write", {{"path", "/w"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_NE(result.status().message().find("timed out"), std::string::npos);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(Client, AnUnreachableServerIsUnavailableAndNamed) {
  uint16_t port = 0;
  {
    LoopbackHttpServer closed([](const ReceivedRequest&) { return CannedReply{}; });
    port = closed.port();
  }
  ClientOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(port);
  options.max_attempts = 2;
  auto client = OpenClient(options);
  StatusOr<Value> result = client->Call("list");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_NE(result.status().message().find("http://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << result.status().message();
}

// The server answers nothing until both requests are in: Start returned before reading.
TEST(Client, StartedCallsAreInFlightTogether) {
  const LoopbackHttpServer* self = nullptr;
  LoopbackHttpServer server([&self](const ReceivedRequest& r) {
    if (!self->WaitForRequests(2, std::chrono::seconds(5))) return CannedReply{500, {}, "alone"};
    return RpcReply(R"({"jsonrpc":"2.0","id":1,"result":")" + r.target + "\"}");
  });
  self = &server;
  auto client = OpenClient(For(server));
  PendingCall a = client->Start("list");
  PendingCall b = client->Start("read", {{"path", "/f"}});
  StatusOr<Value> first = client->Finish(std::move(a));
  StatusOr<Value> second = client->Finish(std::move(b));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->AsString(), "/api/nfs/list");
  EXPECT_EQ(second->AsString(), "/api/nfs/read");
  // A call dropped unfinished takes its connection with it; the next call is unaffected.
  { PendingCall dropped = client->Start("list"); }
  EXPECT_TRUE(client->Call("list").ok());
}

TEST(Client, FinishSaysWhatStartCouldNotDoAndResendsNothing) {
  LoopbackHttpServer busy([](const ReceivedRequest&) {
    return CannedReply{503, {{"Retry-After", "0"}}, "busy"};
  });
  auto client = OpenClient(For(busy));
  StatusOr<Value> refused = client->Finish(client->Start("list"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  EXPECT_EQ(refused.status().detail("http_status"), "503");
  EXPECT_EQ(busy.request_count(), 1u) << "max_attempts is 4, yet a started call is not resent";
  EXPECT_EQ(client->Finish(client->Start("../admin")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(busy.request_count(), 1u);

  uint16_t port = 0;
  {
    LoopbackHttpServer closed([](const ReceivedRequest&) { return CannedReply{}; });
    port = closed.port();
  }
  ClientOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(port);
  auto unreachable = OpenClient(options);
  EXPECT_EQ(unreachable->Finish(unreachable->Start("list")).status().code(), Code::kUnavailable);
}

TEST(Client, ConditionalReadAnswersNotModified) {
  LoopbackHttpServer server([](const ReceivedRequest& r) {
    if (r.Header("If-None-Match") == "\"e1\"") return CannedReply{304, {{"ETag", "\"e1\""}}, ""};
    return CannedReply{200,
                       {{"ETag", "\"e1\""}},
                       R"({"jsonrpc":"2.0","id":1,"result":{"__type__":"bytes","data":"aGk="}})"};
  });
  auto client = OpenClient(For(server));
  StatusOr<Reply> first = client->CallForReply("read", {{"path", "/f"}});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->etag, "e1");
  EXPECT_EQ(first->result.AsString(), "hi");
  CallOptions conditional;
  conditional.if_none_match = first->etag;
  StatusOr<Reply> second = client->CallForReply("read", {{"path", "/f"}}, conditional);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->not_modified);
  EXPECT_TRUE(second->result.is_null());
}

TEST(Client, OpenRefusesWhatCannotWork) {
  for (std::string url : {"ftp://host/", "localhost:8080", "http://", "http://h/?q=1"}) {
    ClientOptions options;
    options.url = url;
    StatusOr<std::unique_ptr<Client>> client = Client::Open(options);
    EXPECT_FALSE(client.ok()) << url;
    if (!client.ok()) {
      EXPECT_EQ(client.status().code(), Code::kInvalidArgument);
    }
  }
  ClientOptions options;
  options.api_key = "sk-abc\r\nX-Evil: 1";
  EXPECT_EQ(Client::Open(options).status().code(), Code::kInvalidArgument);
  options.api_key = "";
  options.ca_file = "/nonexistent/ca.pem";
  options.url = "https://localhost/";
  EXPECT_EQ(Client::Open(options).status().code(), Code::kInvalidArgument);
}

TEST(Client, MethodNamesCannotChangeTheUrl) {
  LoopbackHttpServer server([](const ReceivedRequest&) { return CannedReply{}; });
  auto client = OpenClient(For(server));
  EXPECT_EQ(client->Call("../admin").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(client->Call("read?x=1").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(server.request_count(), 0u);
}

class TlsClient : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = test::MakeSelfSignedIdentity("localhost");
    ca_file_ = dir_.path() + "/ca.pem";
    std::ofstream(ca_file_) << identity_.certificate_pem;
  }

  test::TempDir dir_;
  test::TlsIdentity identity_;
  std::string ca_file_;
};

TEST_F(TlsClient, VerifiesTheServerAndSendsItsName) {
  LoopbackHttpServer server(
      [](const ReceivedRequest&) { return RpcReply(R"({"jsonrpc":"2.0","id":1,"result":7})"); },
      &identity_);
  ClientOptions options;
  options.url = "https://localhost:" + std::to_string(server.port());
  options.ca_file = ca_file_;
  auto client = OpenClient(options);
  StatusOr<Value> result = client->Call("list");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->AsInt(), 7);
  EXPECT_EQ(server.requests()[0].server_name, "localhost");
}

TEST_F(TlsClient, RefusesACertificateItDoesNotTrust) {
  LoopbackHttpServer server([](const ReceivedRequest&) { return CannedReply{}; }, &identity_);
  ClientOptions options;
  options.url = "https://localhost:" + std::to_string(server.port());
  auto client = OpenClient(options);
  StatusOr<Value> result = client->Call("list");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_NE(result.status().message().find("certificate verification failed"), std::string::npos)
      << result.status().message();
  EXPECT_EQ(server.request_count(), 0u);
}

// A server that handles each connection by a script: read one request, then answer with
// `reply` or, when it is empty, close without a word.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> replies) : replies_(std::move(replies)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }

  uint16_t port() const { return port_; }
  int connections() const { return connections_; }

 private:
  void Serve() {
    for (const std::string& reply : replies_) {
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      ++connections_;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      if (!reply.empty()) {
        EXPECT_EQ(::write(c, reply.data(), reply.size()), ssize_t(reply.size()));
      }
      ::close(c);
    }
  }

  std::vector<std::string> replies_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

const char kOkReply[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 36\r\n"
    "Connection: close\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":42}";

TEST(ClientResend, AWriteWhoseAnswerWasLostIsNotResent) {
  ScriptedServer server({"", kOkReply});
  ClientOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(server.port());
  auto client = OpenClient(options);
  StatusOr<Value> result = client->Call("write", {{"path", "/f"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_EQ(server.connections(), 1);
}

TEST(ClientResend, AReadWhoseAnswerWasLostIsResent) {
  ScriptedServer server({"", kOkReply});
  ClientOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(server.port());
  auto client = OpenClient(options);
  CallOptions idempotent;
  idempotent.idempotent = true;
  StatusOr<Value> result = client->Call("read", {{"path", "/f"}}, idempotent);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->AsInt(), 42);
  EXPECT_EQ(server.connections(), 2);
}

// nexus-stress counts every failure, so it turns resending off.
TEST(ClientResend, OneAttemptResendsNothing) {
  LoopbackHttpServer busy([](const ReceivedRequest&) {
    return CannedReply{503, {{"Retry-After", "0"}}, "busy"};
  });
  ClientOptions options = For(busy);
  options.max_attempts = 1;
  StatusOr<Value> result = OpenClient(options)->Call("list");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_EQ(result.status().detail("http_status"), "503");
  EXPECT_EQ(busy.request_count(), 1u);

  ScriptedServer lost({"", kOkReply});
  options.url = "http://127.0.0.1:" + std::to_string(lost.port());
  CallOptions idempotent;
  idempotent.idempotent = true;
  result = OpenClient(options)->Call("read", {{"path", "/f"}}, idempotent);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnavailable);
  EXPECT_EQ(result.status().detail("http_status"), "");
  EXPECT_EQ(lost.connections(), 1);
}

}  // namespace
}  // namespace nexus::client

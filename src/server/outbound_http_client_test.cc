#include "server/outbound_http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "testing/loopback_http_server.h"
#include "testing/temp_dir.h"
#include "testing/tls_identity.h"
#include "util/file.h"
#include "util/unique_fd.h"

namespace nexus::server {
namespace {

using services::OutboundRequest;
using services::OutboundResponse;
using std::chrono::milliseconds;
using test::CannedReply;
using test::LoopbackHttpServer;
using test::ReceivedRequest;

std::string HeaderOf(const OutboundResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::string LocalUrl(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port) + "/"; }

OutboundRequest Get(std::string url, milliseconds timeout = milliseconds(5000)) {
  OutboundRequest request;
  request.method = "GET";
  request.url = std::move(url);
  request.timeout = timeout;
  return request;
}

// A socket bound to 127.0.0.1 on a free port and listening, that never accepts: the kernel
// completes connections to it, and nothing ever answers.
UniqueFd SilentListener(uint16_t* port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(::listen(fd.get(), 8), 0);
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

// Accepts one connection, reads what arrives, answers `bytes` and closes.
class RawResponder {
 public:
  explicit RawResponder(std::string bytes) : listener_(SilentListener(&port_)) {
    thread_ = std::thread([this, bytes = std::move(bytes)] {
      UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      char buf[4096];
      (void)::recv(conn.get(), buf, sizeof(buf), 0);
      (void)::send(conn.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    });
  }
  ~RawResponder() { thread_.join(); }
  uint16_t port() const { return port_; }

 private:
  uint16_t port_ = 0;
  UniqueFd listener_;
  std::thread thread_;
};

class OutboundHttpClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<OutboundHttpClient> NewClient(OutboundHttpOptions options = {}) {
    StatusOr<std::unique_ptr<OutboundHttpClient>> client =
        OutboundHttpClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(*client) : nullptr;
  }

  // A file that trusts `identity`'s certificate, for OutboundHttpOptions::ca_file.
  std::string TrustFile(const test::TlsIdentity& identity) {
    const std::string path = dir_.path() + "/ca.pem";
    EXPECT_TRUE(WriteFileAtomically(path, identity.certificate_pem, false).ok());
    return path;
  }

  // The error `request` gets; fails the test when it gets a response.
  Status SendError(OutboundHttpClient& client, const OutboundRequest& request) {
    StatusOr<OutboundResponse> response = client.Send(request);
    EXPECT_FALSE(response.ok()) << "status " << (response.ok() ? response->status : 0);
    return response.status();
  }

  test::TempDir dir_;
};

TEST_F(OutboundHttpClientTest, GetRoundTrip) {
  LoopbackHttpServer server([](const ReceivedRequest&) {
    return CannedReply{200, {{"X-Reply", "yes"}, {"Content-Type", "text/plain"}}, "hello"};
  });
  auto client = NewClient();
  OutboundRequest request = Get(server.url("/path/to?q=1#fragment"));
  request.headers = {{"X-Custom", "value 1"}, {"Accept", "application/json"}};
  StatusOr<OutboundResponse> response = client->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(HeaderOf(*response, "x-reply"), "yes");
  EXPECT_EQ(HeaderOf(*response, "Content-Type"), "text/plain");

  ASSERT_EQ(server.request_count(), 1u);
  const ReceivedRequest received = server.requests()[0];
  EXPECT_EQ(received.method, "GET");
  EXPECT_EQ(received.target, "/path/to?q=1");
  EXPECT_EQ(received.Header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(received.Header("Connection"), "close");
  EXPECT_EQ(received.Header("X-Custom"), "value 1");
  EXPECT_EQ(received.Header("Accept"), "application/json");
  EXPECT_EQ(received.Header("Content-Length"), "");
  EXPECT_EQ(received.body, "");
}

TEST_F(OutboundHttpClientTest, PublicAddressesOnlyRefusesThisMachineInEveryForm) {
  LoopbackHttpServer server([](const ReceivedRequest&) { return CannedReply{200, {}, "ok"}; });
  auto client = NewClient();
  const std::string port = std::to_string(server.port());
  // A literal, a name, and the decimal and short forms getaddrinfo accepts.
  for (const char* host : {"127.0.0.1", "localhost", "2130706433", "127.1"}) {
    OutboundRequest request = Get(std::string("http://") + host + ":" + port + "/");
    request.public_addresses_only = true;
    const Status refused = SendError(*client, request);
    EXPECT_EQ(refused.code(), Code::kPermissionDenied) << host << ": " << refused.ToString();
    EXPECT_NE(refused.message().find("not a public address"), std::string::npos) << host;
  }
  EXPECT_EQ(server.request_count(), 0u) << "nothing may reach the server";
  // Without the flag (the operator's own endpoints, e.g. OAuth) loopback is fine.
  StatusOr<OutboundResponse> allowed = client->Send(Get(LocalUrl(server.port())));
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  EXPECT_EQ(allowed->body, "ok");
}

TEST_F(OutboundHttpClientTest, PostRoundTrip) {
  LoopbackHttpServer server([](const ReceivedRequest& request) {
    return CannedReply{201, {}, "got " + request.body};
  });
  auto client = NewClient();
  OutboundRequest request;
  request.url = server.url("/token");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = "grant_type=authorization_code&code=abc";
  StatusOr<OutboundResponse> response = client->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "got grant_type=authorization_code&code=abc");

  const ReceivedRequest received = server.requests().at(0);
  EXPECT_EQ(received.method, "POST");
  EXPECT_EQ(received.Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(received.Header("Content-Length"), std::to_string(request.body.size()));
  EXPECT_EQ(received.body, request.body);

  request.body.clear();  // an empty POST still says how long it is
  ASSERT_TRUE(client->Send(request).ok());
  EXPECT_EQ(server.requests().at(1).Header("Content-Length"), "0");
}

TEST_F(OutboundHttpClientTest, ErrorStatusesAreResponses) {
  LoopbackHttpServer server([](const ReceivedRequest& request) {
    const int status = request.target == "/missing" ? 404 : 503;
    return CannedReply{status, {{"Retry-After", "1"}}, "{\"error\":\"nope\"}"};
  });
  auto client = NewClient();
  StatusOr<OutboundResponse> missing = client->Send(Get(server.url("/missing")));
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "{\"error\":\"nope\"}");
  StatusOr<OutboundResponse> unavailable = client->Send(Get(server.url("/busy")));
  ASSERT_TRUE(unavailable.ok()) << unavailable.status().ToString();
  EXPECT_EQ(unavailable->status, 503);
  EXPECT_EQ(HeaderOf(*unavailable, "Retry-After"), "1");
}

TEST_F(OutboundHttpClientTest, ResponsesWithoutBodiesEndAtTheirHeader) {
  LoopbackHttpServer server([](const ReceivedRequest& request) {
    return CannedReply{request.method == "HEAD" ? 200 : 204, {}, ""};
  });
  auto client = NewClient();
  OutboundRequest head = Get(server.url("/"), milliseconds(2000));
  head.method = "HEAD";
  StatusOr<OutboundResponse> head_response = client->Send(head);
  ASSERT_TRUE(head_response.ok()) << head_response.status().ToString();
  EXPECT_EQ(head_response->status, 200);
  OutboundRequest put = Get(server.url("/"), milliseconds(2000));
  put.method = "PUT";
  put.body = "x";
  StatusOr<OutboundResponse> no_content = client->Send(put);
  ASSERT_TRUE(no_content.ok()) << no_content.status().ToString();
  EXPECT_EQ(no_content->status, 204);
  EXPECT_EQ(no_content->body, "");
}

TEST_F(OutboundHttpClientTest, RedirectsAreNotFollowed) {
  LoopbackHttpServer server([](const ReceivedRequest&) {
    return CannedReply{302, {{"Location", "/elsewhere"}}, ""};
  });
  auto client = NewClient();
  StatusOr<OutboundResponse> response = client->Send(Get(server.url("/start")));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 302);
  EXPECT_EQ(HeaderOf(*response, "Location"), "/elsewhere");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(OutboundHttpClientTest, ConnectionRefusedNamesTheHost) {
  uint16_t port = 0;
  SilentListener(&port);  // closed again at once: nothing listens on `port`
  auto client = NewClient();
  const Status error = SendError(*client, Get(LocalUrl(port)));
  EXPECT_EQ(error.code(), Code::kIOError);
  EXPECT_NE(error.message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << error.message();
  EXPECT_NE(error.message().find("connect"), std::string::npos) << error.message();
  EXPECT_EQ(error.detail("step"), "connect") << "nothing was sent: a forward may go elsewhere";
}

TEST_F(OutboundHttpClientTest, ServerThatNeverAnswersTimesOut) {
  std::atomic<bool> release{false};
  LoopbackHttpServer server([&](const ReceivedRequest&) {
    while (!release) std::this_thread::sleep_for(milliseconds(1));
    return CannedReply{};
  });
  auto client = NewClient();
  const auto start = std::chrono::steady_clock::now();
  const Status error = SendError(*client, Get(server.url("/hang"), milliseconds(200)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  release = true;
  EXPECT_EQ(error.code(), Code::kIOError);
  EXPECT_NE(error.message().find("timed out after 200 ms"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("127.0.0.1"), std::string::npos) << error.message();
  EXPECT_EQ(error.detail("step"), "receive") << "sent: the server may have acted on it";
  EXPECT_GE(elapsed, milliseconds(200));
  EXPECT_LT(elapsed, milliseconds(2000));
}

TEST_F(OutboundHttpClientTest, PeerThatNeverAcceptsTimesOut) {
  uint16_t port = 0;
  const UniqueFd listener = SilentListener(&port);
  auto client = NewClient();
  OutboundRequest request = Get("https://127.0.0.1:" + std::to_string(port) + "/");
  request.timeout = milliseconds(150);
  const Status error = SendError(*client, request);
  EXPECT_EQ(error.code(), Code::kIOError);
  EXPECT_NE(error.message().find("timed out"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("TLS handshake"), std::string::npos) << error.message();
}

TEST_F(OutboundHttpClientTest, OverLimitBodyFails) {
  LoopbackHttpServer server([](const ReceivedRequest& request) {
    return CannedReply{200, {}, std::string(request.target == "/big" ? 1025 : 1024, 'x')};
  });
  auto client = NewClient({.ca_file = "", .max_response_bytes = 1024});
  StatusOr<OutboundResponse> at_limit = client->Send(Get(server.url("/fits")));
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  EXPECT_EQ(at_limit->body.size(), 1024u);
  const Status error = SendError(*client, Get(server.url("/big")));
  EXPECT_EQ(error.code(), Code::kIOError);
  EXPECT_NE(error.message().find("over 1024 bytes"), std::string::npos) << error.message();

  const std::string chunk = std::string(512, 'x') + "\r\n";
  RawResponder chunked("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n" + chunk +
                       "200\r\n" + chunk + "1\r\nx\r\n0\r\n\r\n");
  EXPECT_NE(SendError(*client, Get(LocalUrl(chunked.port()))).message().find("over 1024 bytes"),
            std::string::npos);
  RawResponder until_close("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(1025, 'x'));
  EXPECT_NE(SendError(*client, Get(LocalUrl(until_close.port()))).message().find("over 1024 bytes"),
            std::string::npos);
}

TEST_F(OutboundHttpClientTest, DefaultLimitIsEightMebibytes) {
  EXPECT_EQ(OutboundHttpOptions{}.max_response_bytes, 8u << 20);
}

TEST_F(OutboundHttpClientTest, MalformedAndTruncatedResponsesFail) {
  auto client = NewClient();
  RawResponder garbage("SMTP ready\r\n\r\n");
  const Status malformed = SendError(*client, Get(LocalUrl(garbage.port())));
  EXPECT_EQ(malformed.code(), Code::kIOError);
  EXPECT_NE(malformed.message().find("malformed response"), std::string::npos)
      << malformed.message();

  RawResponder truncated("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  const Status cut = SendError(*client, Get(LocalUrl(truncated.port())));
  EXPECT_EQ(cut.code(), Code::kIOError);
  EXPECT_NE(cut.message().find("closed before a complete response"), std::string::npos)
      << cut.message();
}

TEST_F(OutboundHttpClientTest, BodyDelimitedByCloseIsRead) {
  RawResponder server("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
  auto client = NewClient();
  StatusOr<OutboundResponse> response = client->Send(Get(LocalUrl(server.port())));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "until the end");
}

TEST_F(OutboundHttpClientTest, RejectsBadRequestsBeforeConnecting) {
  LoopbackHttpServer server([](const ReceivedRequest&) { return CannedReply{}; });
  auto client = NewClient();
  const auto code_of = [&](OutboundRequest request) { return SendError(*client, request).code(); };
  EXPECT_EQ(code_of(Get("ftp://127.0.0.1/")), Code::kInvalidArgument);
  EXPECT_EQ(code_of(Get("file:///etc/passwd")), Code::kInvalidArgument);
  EXPECT_EQ(code_of(Get("http://user:pw@127.0.0.1/")), Code::kInvalidArgument);
  EXPECT_EQ(code_of(Get("not a url")), Code::kInvalidArgument);

  const std::string url = server.url("/");
  OutboundRequest bad_method = Get(url);
  bad_method.method = "GE T";
  EXPECT_EQ(code_of(bad_method), Code::kInvalidArgument);
  OutboundRequest injected = Get(url);
  injected.headers = {{"X-A", "a\r\nX-Injected: 1"}};
  EXPECT_EQ(code_of(injected), Code::kInvalidArgument);
  OutboundRequest bad_name = Get(url);
  bad_name.headers = {{"X A", "a"}};
  EXPECT_EQ(code_of(bad_name), Code::kInvalidArgument);
  OutboundRequest framing = Get(url);
  framing.headers = {{"content-length", "5"}};
  EXPECT_EQ(code_of(framing), Code::kInvalidArgument);
  OutboundRequest no_time = Get(url, milliseconds(0));
  EXPECT_EQ(code_of(no_time), Code::kInvalidArgument);
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(OutboundHttpClientTest, HttpsWithTrustedCertificate) {
  const test::TlsIdentity identity = test::MakeSelfSignedIdentity("127.0.0.1");
  LoopbackHttpServer server(
      [](const ReceivedRequest& request) {
        return CannedReply{200, {}, "secure " + request.body};
      },
      &identity);
  ASSERT_TRUE(server.url("/").starts_with("https://"));
  auto client = NewClient({.ca_file = TrustFile(identity)});
  OutboundRequest request;
  request.url = server.url("/token");
  request.body = "x=1";
  StatusOr<OutboundResponse> response = client->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "secure x=1");
  EXPECT_EQ(server.requests().at(0).body, "x=1");
  EXPECT_EQ(server.requests().at(0).server_name, "") << "no SNI for an IP address";
}

TEST_F(OutboundHttpClientTest, HttpsByHostNameSendsSniAndVerifiesTheName) {
  const test::TlsIdentity identity = test::MakeSelfSignedIdentity("localhost");
  LoopbackHttpServer server(
      [](const ReceivedRequest&) {
        return CannedReply{200, {}, "named"};
      },
      &identity);
  auto client = NewClient({.ca_file = TrustFile(identity)});
  StatusOr<OutboundResponse> response =
      client->Send(Get("https://localhost:" + std::to_string(server.port()) + "/"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "named");
  EXPECT_EQ(server.requests().at(0).server_name, "localhost");
  EXPECT_EQ(server.requests().at(0).Header("Host"), "localhost:" + std::to_string(server.port()));
}

TEST_F(OutboundHttpClientTest, HttpsUntrustedBySystemStoreFails) {
  const test::TlsIdentity identity = test::MakeSelfSignedIdentity("127.0.0.1");
  LoopbackHttpServer server([](const ReceivedRequest&) { return CannedReply{}; }, &identity);
  auto client = NewClient();
  const Status error = SendError(*client, Get(server.url("/")));
  EXPECT_EQ(error.code(), Code::kIOError);
  EXPECT_NE(error.message().find("certificate verify failed"), std::string::npos)
      << error.message();
  EXPECT_NE(error.message().find("127.0.0.1"), std::string::npos) << error.message();
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(OutboundHttpClientTest, HttpsHostMismatchFails) {
  const test::TlsIdentity other = test::MakeSelfSignedIdentity("example.test");
  LoopbackHttpServer server([](const ReceivedRequest&) { return CannedReply{}; }, &other);
  auto client = NewClient({.ca_file = TrustFile(other)});
  const Status by_address = SendError(*client, Get(server.url("/")));
  EXPECT_EQ(by_address.code(), Code::kIOError);
  EXPECT_NE(by_address.message().find("mismatch"), std::string::npos) << by_address.message();
  const Status by_name =
      SendError(*client, Get("https://localhost:" + std::to_string(server.port()) + "/"));
  EXPECT_NE(by_name.message().find("mismatch"), std::string::npos) << by_name.message();
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(OutboundHttpClientTest, UnreadableCaFileFailsAtCreate) {
  StatusOr<std::unique_ptr<OutboundHttpClient>> missing =
      OutboundHttpClient::Create({.ca_file = dir_.path() + "/absent.pem"});
  EXPECT_EQ(missing.status().code(), Code::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("absent.pem"), std::string::npos);
  const std::string not_pem = dir_.path() + "/not.pem";
  ASSERT_TRUE(WriteFileAtomically(not_pem, "not a certificate", false).ok());
  EXPECT_EQ(OutboundHttpClient::Create({.ca_file = not_pem}).status().code(),
            Code::kInvalidArgument);
}

TEST_F(OutboundHttpClientTest, ConcurrentSendsShareOneClient) {
  const test::TlsIdentity identity = test::MakeSelfSignedIdentity("127.0.0.1");
  LoopbackHttpServer plain([](const ReceivedRequest& r) { return CannedReply{200, {}, r.body}; });
  LoopbackHttpServer secure(
      [](const ReceivedRequest& r) {
        return CannedReply{200, {}, r.body};
      },
      &identity);
  auto client = NewClient({.ca_file = TrustFile(identity)});
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      OutboundRequest request;
      request.url = (i % 2 == 0 ? plain : secure).url("/");
      request.body = std::to_string(i);
      StatusOr<OutboundResponse> response = client->Send(request);
      ASSERT_TRUE(response.ok()) << response.status().ToString();
      EXPECT_EQ(response->body, std::to_string(i));
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(plain.request_count() + secure.request_count(), 8u);
}

}  // namespace
}  // namespace nexus::server

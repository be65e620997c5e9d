// End-to-end tests of HttpServer over real loopback sockets.
#include "server/http_server.h"
#include "server/response_stream.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <thread>

#include "testing/http_client.h"
#include "util/background.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::server {
namespace {

using namespace std::chrono_literals;
using test::ClientResponse;
using test::TestHttpClient;

// Routes by path: /health inline; /block waits for Release(); /throw throws; /big?N returns
// N bytes; /not-modified answers 304; anything else echoes the request. Large bodies: to
// /small-body at most 1 MiB; to /private only with "X-Key: ok"; /admit-throws throws.
// A stream whose sink the test takes, to write through it.
class SinkHolder final : public ResponseStream {
 public:
  void Attach(std::shared_ptr<StreamSink> sink) override {
    MutexLock lock(&mu_);
    sink_ = std::move(sink);
    attached_.SignalAll();
  }
  std::shared_ptr<StreamSink> WaitForSink() {
    MutexLock lock(&mu_);
    attached_.WaitFor(&mu_, 5s, [this]() REQUIRES(mu_) { return sink_ != nullptr; });
    return sink_;
  }

 private:
  Mutex mu_;
  CondVar attached_;
  std::shared_ptr<StreamSink> sink_ GUARDED_BY(mu_);
};

class FakeHandler : public RequestHandler {
 public:
  std::shared_ptr<SinkHolder> stream = std::make_shared<SinkHolder>();

  HttpResponse Handle(const HttpRequest& req) override {
    calls_.fetch_add(1);
    {
      MutexLock lock(&mu_);
      last_remote_ = req.remote;
    }
    if (req.path == "/health") return JsonResponse(200, R"({"status":"healthy"})");
    if (req.path == "/throw") throw std::runtime_error("handler bug");
    if (req.path == "/block") return Block();
    if (req.path == "/stream") {
      HttpResponse resp = JsonResponse(200, "");
      resp.SetHeader("Content-Type", "text/event-stream");
      resp.stream = stream;
      return resp;
    }
    if (req.path == "/big")
      return JsonResponse(200, std::string(std::atoi(req.query.c_str()), 'x'));
    if (req.path == "/not-modified") {
      HttpResponse resp;
      resp.status = 304;
      resp.SetHeader("ETag", "\"abc\"");
      resp.body = "must not be sent";
      return resp;
    }
    if (req.path == "/bad-header") {
      HttpResponse resp = JsonResponse(200, "{}");
      resp.SetHeader("X-Injected", "a\r\nSet-Cookie: evil=1");
      resp.SetHeader("X-Fine", "yes");
      resp.SetHeader("Content-Length", "999");
      return resp;
    }
    HttpResponse resp = JsonResponse(200, req.body);
    resp.SetHeader("X-Method", req.method);
    resp.SetHeader("X-Path", req.path);
    resp.SetHeader("X-Query", req.query);
    resp.SetHeader("X-Agent", req.Header("x-agent-id"));
    return resp;
  }

  bool NeedsWorker(const HttpRequest& req) const override { return req.path != "/health"; }

  size_t MaxBodyBytes(const HttpRequest& head) const override {
    return head.path == "/small-body" ? 1 << 20 : std::numeric_limits<size_t>::max();
  }

  std::optional<HttpResponse> AdmitBody(const HttpRequest& head) override {
    admissions_.fetch_add(1);
    if (head.path == "/admit-throws") throw std::runtime_error("admission bug");
    if (head.path == "/private" && head.Header("X-Key") != "ok") {
      return DetailResponse(401, "Invalid or missing API key");
    }
    return std::nullopt;
  }

  // Blocks until `count` handlers are inside /block.
  void WaitForBlocked(int count) {
    MutexLock lock(&mu_);
    changed_.Wait(&mu_, [&]() REQUIRES(mu_) { return blocked_ >= count; });
  }

  void Release() {
    MutexLock lock(&mu_);
    released_ = true;
    changed_.SignalAll();
  }

  int calls() const { return calls_.load(); }
  int admissions() const { return admissions_.load(); }
  std::string last_remote() {
    MutexLock lock(&mu_);
    return last_remote_;
  }

 private:
  HttpResponse Block() {
    MutexLock lock(&mu_);
    ++blocked_;
    changed_.SignalAll();
    changed_.Wait(&mu_, [this]() REQUIRES(mu_) { return released_; });
    return JsonResponse(200, R"({"unblocked":true})");
  }

  std::atomic<int> calls_{0};
  std::atomic<int> admissions_{0};
  Mutex mu_;
  CondVar changed_;
  int blocked_ GUARDED_BY(mu_) = 0;
  bool released_ GUARDED_BY(mu_) = false;
  std::string last_remote_ GUARDED_BY(mu_);
};

class ServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    handler_.Release();  // never leave a worker blocked
    if (server_) server_->Stop();
  }

  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, handler_, metrics_);
    const Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  uint16_t port() const { return server_->port(); }

  // The answer to `request` sent on a new connection, which the server must then close
  // (status 0 when no answer came).
  ClientResponse AnswerThenClose(const std::string& request) {
    TestHttpClient client(port());
    EXPECT_TRUE(client.Send(request));
    const std::optional<ClientResponse> resp = client.ReadResponse();
    EXPECT_TRUE(client.WaitForClose(5s));
    return resp.value_or(ClientResponse{});
  }

  // Occupies a pool of one worker and one queue slot with /block requests on `running` and
  // `queued`.
  void SaturatePool(TestHttpClient& running, TestHttpClient& queued) {
    ASSERT_TRUE(running.Send(test::BuildRequest("POST", "/block")));
    handler_.WaitForBlocked(1);
    ASSERT_TRUE(queued.Send(test::BuildRequest("POST", "/block")));
    ASSERT_TRUE(WaitForMetric("nexus_worker_queue_depth 1\n"));
  }

  // Sends `rest`, the end of a request held open on `client`, and expects its echo, `body`.
  static void FinishAndExpectEcho(TestHttpClient& client, std::string_view rest,
                                  const std::string& body) {
    ASSERT_TRUE(client.Send(rest));
    const std::optional<ClientResponse> resp = client.ReadResponse();
    ASSERT_TRUE(resp.has_value());
    EXPECT_EQ(resp->status, 200);
    EXPECT_EQ(resp->body, body);
  }

  // Polls the metrics text until it contains `needle`.
  bool WaitForMetric(const std::string& needle) {
    for (int i = 0; i < 3000; ++i) {
      if (metrics_.RenderPrometheus().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  FakeHandler handler_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  TestHttpClient client(port());
  ASSERT_TRUE(client.connected());
  auto first = client.Request("POST", "/api/nfs/read?x=1", {{"X-Agent-ID", "a1"}}, R"({"id":1})");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, R"({"id":1})");
  EXPECT_EQ(first->Header("X-Method"), "POST");
  EXPECT_EQ(first->Header("X-Path"), "/api/nfs/read");
  EXPECT_EQ(first->Header("X-Query"), "x=1");
  EXPECT_EQ(first->Header("X-Agent"), "a1");
  EXPECT_EQ(first->Header("Content-Type"), "application/json");
  EXPECT_EQ(first->Header("Server"), "nexus");
  EXPECT_NE(first->Header("Connection"), "close");
  const std::string remote = handler_.last_remote();
  EXPECT_TRUE(remote.starts_with("127.0.0.1:")) << remote;

  auto second = client.Request("GET", "/health");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, R"({"status":"healthy"})");
  EXPECT_EQ(handler_.last_remote(), remote);  // same connection
}

TEST_F(ServerTest, PipelinedRequestsAnswerInOrder) {
  StartServer();
  TestHttpClient client(port());
  ASSERT_TRUE(client.Send(test::BuildRequest("POST", "/a", {}, "one") +
                          test::BuildRequest("POST", "/b", {}, "two")));
  auto first = client.ReadResponse();
  auto second = client.ReadResponse();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "one");
  EXPECT_EQ(second->body, "two");
}

TEST_F(ServerTest, BodyOverLimitGets413AndClose) {
  ServerOptions options;
  options.body_limit = 1024;
  StartServer(options);
  TestHttpClient client(port());
  ASSERT_TRUE(client.Send(test::BuildRequest("POST", "/api/nfs/write", {{"Origin", "http://a"}},
                                             std::string(5000, 'b'))));
  auto resp = client.ReadResponse();
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 413);
  EXPECT_EQ(resp->body, R"({"detail":"Request body too large"})");
  EXPECT_EQ(resp->Header("Connection"), "close");
  EXPECT_EQ(resp->Header("access-control-allow-origin"), "*");
  EXPECT_TRUE(client.WaitForClose(5s));
  EXPECT_EQ(handler_.calls(), 0);

  // A body exactly at the limit is fine.
  TestHttpClient ok_client(port());
  auto ok = ok_client.Request("POST", "/echo", {}, std::string(1024, 'b'));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerTest, ChunkedBodyOverLimitGets413) {
  ServerOptions options;
  options.body_limit = 1024;
  StartServer(options);
  TestHttpClient client(port());
  const std::string chunk(800, 'c');
  ASSERT_TRUE(
      client.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "320\r\n" +
                  chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto resp = client.ReadResponse();
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 413);
  EXPECT_TRUE(client.WaitForClose(5s));
}

// A request head declaring a body of `length` bytes, without the body.
std::string HeadOnly(std::string_view target, size_t length, std::string_view extra = "") {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) +
         "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

// A chunked request head, without any chunk.
std::string ChunkedHead(std::string_view target, std::string_view extra = "") {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) +
         "Transfer-Encoding: chunked\r\n\r\n";
}

std::string Chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  return size + data + "\r\n";
}

constexpr std::string_view kLastChunk = "0\r\n\r\n";
constexpr size_t kLargeBody = 200 << 10;  // over kSmallBodyBytes

TEST_F(ServerTest, RefusedCallerGetsItsAnswerBeforeSendingTheBody) {
  StartServer();
  const ClientResponse resp =
      AnswerThenClose(HeadOnly("/private", 60'000'000, "Origin: http://a\r\n"));
  EXPECT_EQ(resp.status, 401);
  EXPECT_EQ(resp.body, R"({"detail":"Invalid or missing API key"})");
  EXPECT_EQ(resp.Header("Connection"), "close");
  EXPECT_EQ(resp.Header("access-control-allow-origin"), "*");
  // A client waiting for 100 Continue gets the refusal instead.
  EXPECT_EQ(AnswerThenClose(HeadOnly("/private", 60'000'000, "Expect: 100-continue\r\n")).status,
            401);
  EXPECT_EQ(AnswerThenClose(ChunkedHead("/private")).status, 401);

  EXPECT_EQ(handler_.admissions(), 3);
  EXPECT_EQ(handler_.calls(), 0);
  EXPECT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 0\n"));
  EXPECT_TRUE(WaitForMetric("nexus_http_requests_total{route=\"other\",status=\"401\"} 3\n"));
}

TEST_F(ServerTest, AdmittedLargeBodiesAreReadAndServed) {
  StartServer();
  TestHttpClient client(port());
  const std::string body(kLargeBody, 'l');
  auto resp = client.Request("POST", "/private", {{"X-Key", "ok"}}, body);
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, body);
  EXPECT_NE(resp->Header("Connection"), "close");

  ASSERT_TRUE(client.Send(ChunkedHead("/private", "X-Key: ok\r\n") + Chunk(body) + Chunk("end") +
                          std::string(kLastChunk)));
  auto chunked = client.ReadResponse();  // on the same connection
  ASSERT_TRUE(chunked.has_value());
  EXPECT_EQ(chunked->status, 200);
  EXPECT_EQ(chunked->body, body + "end");

  // With 100-continue, the interim answer comes once the body is admitted.
  ASSERT_TRUE(
      client.Send(HeadOnly("/private", body.size(), "X-Key: ok\r\nExpect: 100-continue\r\n")));
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send(body));
  auto continued = client.ReadResponse();
  ASSERT_TRUE(continued.has_value());
  EXPECT_EQ(continued->status, 200);
  EXPECT_EQ(continued->body, body);

  EXPECT_EQ(handler_.admissions(), 3);
  EXPECT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 0\n"));
}

TEST_F(ServerTest, SmallBodiesAreNotAdmittedSeparately) {
  StartServer();
  TestHttpClient client(port());
  const std::string body(kSmallBodyBytes, 's');
  auto resp = client.Request("POST", "/private", {}, body);  // the handler decides, as before
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, body);
  EXPECT_EQ(handler_.admissions(), 0);
}

TEST_F(ServerTest, BodyOverTheRouteLimitGets413Unread) {
  StartServer();
  const ClientResponse resp = AnswerThenClose(HeadOnly("/small-body", (1 << 20) + 1));
  EXPECT_EQ(resp.status, 413);
  EXPECT_EQ(resp.body, R"({"detail":"Request body too large"})");
  EXPECT_EQ(handler_.admissions(), 0) << "decided from the path alone";
  const std::string chunk(600 << 10, 'c');
  EXPECT_EQ(AnswerThenClose(ChunkedHead("/small-body") + Chunk(chunk) + Chunk(chunk)).status, 413);

  TestHttpClient at_limit(port());
  auto ok = at_limit.Request("POST", "/small-body", {}, std::string(1 << 20, 'b'));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(handler_.calls(), 1);
  EXPECT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 0\n"));
}

TEST_F(ServerTest, BodyBeyondTheMemoryBudgetGets503AndTheBudgetComesBack) {
  ServerOptions options;
  options.body_memory_budget = 1 << 20;
  options.body_memory_factor = 2;
  StartServer(options);
  // 300 KiB charged twice over, held while the rest of the body is awaited.
  const std::string body(300 << 10, 'h');
  const std::string request = test::BuildRequest("POST", "/echo", {}, body);
  TestHttpClient holder(port());
  ASSERT_TRUE(holder.Send(request.substr(0, request.size() - 1000)));
  ASSERT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 614400\n"));

  const ClientResponse busy =
      AnswerThenClose(HeadOnly("/echo", body.size(), "Origin: http://a\r\n"));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.Header("Retry-After"), "1");
  EXPECT_EQ(busy.Header("Connection"), "close");
  EXPECT_EQ(busy.Header("access-control-allow-origin"), "*");

  // What was already accepted is served as if nothing happened.
  FinishAndExpectEcho(holder, std::string_view(request).substr(request.size() - 1000), body);
  EXPECT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 0\n"));

  TestHttpClient later(port());
  auto again = later.Request("POST", "/echo", {}, body);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 200);

  // A body that could never fit is too large rather than to be retried.
  EXPECT_EQ(AnswerThenClose(HeadOnly("/echo", (512 << 10) + 1)).status, 413);
  EXPECT_EQ(handler_.calls(), 2);
  EXPECT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 0\n"));
}

TEST_F(ServerTest, ChunkedBodiesAreChargedChunkByChunk) {
  ServerOptions options;
  options.body_memory_budget = 1 << 20;
  options.body_memory_factor = 1;  // chunked: 2 bytes per byte
  StartServer(options);
  TestHttpClient holder(port());
  const std::string held_body(600 << 10, 'h');
  const std::string request = test::BuildRequest("POST", "/echo", {}, held_body);
  ASSERT_TRUE(holder.Send(request.substr(0, request.size() - 1)));
  ASSERT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 614400\n"));

  // 2 × 100 KiB fits in what is left; 2 × 150 KiB more does not.
  TestHttpClient chunked(port());
  ASSERT_TRUE(chunked.Send(ChunkedHead("/echo") + Chunk(std::string(100 << 10, 'a'))));
  ASSERT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 819200\n"));
  ASSERT_TRUE(chunked.Send(Chunk(std::string(150 << 10, 'b'))));
  auto busy = chunked.ReadResponse();
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->Header("Retry-After"), "1");
  EXPECT_TRUE(chunked.WaitForClose(5s));
  EXPECT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 614400\n"));

  FinishAndExpectEcho(holder, std::string_view(request).substr(request.size() - 1), held_body);
  EXPECT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 0\n"));

  // More than the whole budget, chunk by chunk: too large.
  const std::string chunk(300 << 10, 'n');
  EXPECT_EQ(AnswerThenClose(ChunkedHead("/echo") + Chunk(chunk) + Chunk(chunk)).status, 413);
  EXPECT_EQ(handler_.calls(), 1);
  EXPECT_TRUE(WaitForMetric("nexus_http_body_memory_bytes 0\n"));
}

TEST_F(ServerTest, AdmissionFailuresAreAnswered) {
  ServerOptions options;
  options.workers = 1;
  options.queue_capacity = 1;
  StartServer(options);
  EXPECT_EQ(AnswerThenClose(HeadOnly("/admit-throws", kLargeBody)).status, 500);

  // Admission runs on the worker pool; a full pool answers 503 at once.
  TestHttpClient running(port());
  TestHttpClient queued(port());
  SaturatePool(running, queued);
  const ClientResponse busy = AnswerThenClose(HeadOnly("/private", kLargeBody, "X-Key: ok\r\n"));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.Header("Retry-After"), "1");
  handler_.Release();
  EXPECT_EQ(handler_.admissions(), 1);
}

TEST_F(ServerTest, HugeHeaderGets431OrClose) {
  ServerOptions options;
  options.header_limit = 4096;
  StartServer(options);
  TestHttpClient client(port());
  client.Send(test::BuildRequest("GET", "/health", {{"X-Big", std::string(8000, 'h')}}));
  auto resp = client.ReadResponse();
  if (resp) {
    EXPECT_EQ(resp->status, 431);
  }
  EXPECT_TRUE(client.WaitForClose(5s));
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, CorsPreflightIsAnsweredByTheServer) {
  StartServer();
  TestHttpClient client(port());
  auto resp = client.Request("OPTIONS", "/api/nfs/list",
                             {{"Origin", "http://localhost:5173"},
                              {"Access-Control-Request-Method", "POST"},
                              {"Access-Control-Request-Headers", "authorization,content-type"},
                              {"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, "OK");
  EXPECT_EQ(resp->Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(resp->Header("access-control-allow-origin"), "http://localhost:5173");
  EXPECT_EQ(resp->Header("access-control-allow-credentials"), "true");
  EXPECT_EQ(resp->Header("access-control-allow-methods"),
            "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
  EXPECT_EQ(resp->Header("access-control-allow-headers"), "authorization,content-type");
  EXPECT_EQ(resp->Header("access-control-max-age"), "600");
  EXPECT_EQ(resp->Header("vary"), "Origin");
  EXPECT_EQ(resp->Header("Content-Length"), "2");
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, CorsSimpleRequestHeaders) {
  StartServer();
  TestHttpClient client(port());
  auto plain = client.Request("POST", "/api/nfs/read", {{"Origin", "http://a.example"}}, "{}");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->Header("access-control-allow-origin"), "*");
  EXPECT_EQ(plain->Header("access-control-allow-credentials"), "true");

  auto cookie = client.Request("POST", "/api/nfs/read",
                               {{"Origin", "http://a.example"}, {"Cookie", "s=1"}}, "{}");
  ASSERT_TRUE(cookie.has_value());
  EXPECT_EQ(cookie->Header("access-control-allow-origin"), "http://a.example");
  EXPECT_EQ(cookie->Header("access-control-allow-credentials"), "true");
  EXPECT_EQ(cookie->Header("vary"), "Origin");

  auto none = client.Request("POST", "/api/nfs/read", {}, "{}");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->HasHeader("access-control-allow-origin"));
}

TEST_F(ServerTest, GzipOnlyForLargeBodiesWhenAccepted) {
  StartServer();
  TestHttpClient client(port());
  auto big = client.Request("GET", "/big?5000", {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->status, 200);
  EXPECT_EQ(big->Header("Content-Encoding"), "gzip");
  EXPECT_EQ(big->Header("Vary"), "Accept-Encoding");
  EXPECT_LT(big->body.size(), 5000u);
  EXPECT_EQ(test::Gunzip(big->body), std::string(5000, 'x'));

  auto small = client.Request("GET", "/big?999", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(small.has_value());
  EXPECT_FALSE(small->HasHeader("Content-Encoding"));
  EXPECT_EQ(small->body, std::string(999, 'x'));

  auto not_accepted = client.Request("GET", "/big?5000");
  ASSERT_TRUE(not_accepted.has_value());
  EXPECT_FALSE(not_accepted->HasHeader("Content-Encoding"));
  EXPECT_EQ(not_accepted->body, std::string(5000, 'x'));
}

TEST_F(ServerTest, SaturatedPoolAnswers503AndInlineRoutesStillWork) {
  ServerOptions options;
  options.workers = 1;
  options.queue_capacity = 1;
  StartServer(options);
  TestHttpClient running(port());
  TestHttpClient queued(port());
  SaturatePool(running, queued);

  TestHttpClient rejected(port());
  auto busy = rejected.Request("POST", "/block", {{"Origin", "http://a"}});
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->Header("Retry-After"), "1");
  EXPECT_EQ(busy->body, R"({"detail":"Server busy, retry later"})");
  EXPECT_EQ(busy->Header("access-control-allow-origin"), "*");

  auto health = rejected.Request("GET", "/health");  // keep-alive after a 503
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);

  handler_.Release();
  auto first = running.ReadResponse();
  auto second = queued.ReadResponse();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 200);
  EXPECT_TRUE(WaitForMetric("nexus_http_requests_total{route=\"other\",status=\"503\"} 1\n"));
}

TEST_F(ServerTest, SlowHeaderIsCutOff) {
  ServerOptions options;
  options.header_timeout = 1s;
  StartServer(options);
  TestHttpClient client(port());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  EXPECT_TRUE(client.WaitForClose(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, SilentNewConnectionIsCutOffByHeaderTimeout) {
  ServerOptions options;
  options.header_timeout = 1s;
  StartServer(options);
  TestHttpClient client(port());
  EXPECT_TRUE(client.WaitForClose(5s));
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options;
  options.idle_timeout = 1s;
  StartServer(options);
  TestHttpClient client(port());
  auto resp = client.Request("GET", "/health");
  ASSERT_TRUE(resp.has_value());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitForClose(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
}

TEST_F(ServerTest, StopDrainsInFlightRequest) {
  StartServer();
  TestHttpClient busy(port());
  ASSERT_TRUE(busy.Send(test::BuildRequest("POST", "/block")));
  handler_.WaitForBlocked(1);
  TestHttpClient idle(port());
  ASSERT_TRUE(idle.Request("GET", "/health").has_value());

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server_->Stop();
    stopped = true;
  });
  EXPECT_TRUE(idle.WaitForClose(2s));  // idle connections close at once
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(stopped.load());  // still waiting for the blocked request
  handler_.Release();
  auto resp = busy.ReadResponse();
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, R"({"unblocked":true})");
  EXPECT_EQ(resp->Header("Connection"), "close");
  stopper.join();
  EXPECT_TRUE(stopped.load());

  TestHttpClient after(port());
  EXPECT_FALSE(after.connected() && after.Request("GET", "/health").has_value());
}

TEST_F(ServerTest, StopClosesHalfReadRequests) {
  // A drain timeout far longer than any scheduling hiccup: Stop returning before it shows
  // that a half-read request is closed rather than waited for.
  ServerOptions options;
  options.drain_timeout = 60s;
  StartServer(options);
  TestHttpClient partial(port());
  ASSERT_TRUE(partial.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  ASSERT_TRUE(WaitForMetric("nexus_http_open_connections 1\n"));
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, options.drain_timeout);
  EXPECT_TRUE(partial.WaitForClose(10s));
  EXPECT_EQ(handler_.calls(), 0);
}

// Reads from `client`'s raw socket until `text` arrived; false on close or after 5 s.
bool ReadUntil(int fd, const std::string& text, std::string* got) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (got->find(text) == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (std::chrono::steady_clock::now() > deadline || ::poll(&p, 1, 100) < 0) return false;
    if (p.revents == 0) continue;
    char chunk[1024];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    got->append(chunk, static_cast<size_t>(n));
  }
  return true;
}

TEST_F(ServerTest, AStreamIsWrittenAsItComesUntilTheClientGoes) {
  StartServer();
  const int fd = test::ConnectLoopback(port());
  ASSERT_GE(fd, 0);
  const std::string request = test::BuildRequest("GET", "/stream");
  ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  const std::shared_ptr<StreamSink> sink = handler_.stream->WaitForSink();
  ASSERT_NE(sink, nullptr);
  std::string got;
  ASSERT_TRUE(sink->Write("data: one\n\n"));
  ASSERT_TRUE(ReadUntil(fd, "data: one\n\n", &got)) << got;
  EXPECT_EQ(got.find("Content-Length"), std::string::npos) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  ASSERT_TRUE(sink->Write("data: two\n\n"));
  ASSERT_TRUE(ReadUntil(fd, "data: two\n\n", &got)) << got;
  ::close(fd);
  bool refused = false;
  for (int i = 0; i < 500 && !refused; ++i) {
    refused = !sink->Write(": still there?\n\n");
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(refused) << "the sink says so once the client has gone";
}

TEST_F(ServerTest, ClosingAStreamEndsTheResponseAndStopEndsOpenStreams) {
  StartServer();
  TestHttpClient first(port());
  ASSERT_TRUE(first.Send(test::BuildRequest("GET", "/stream")));
  std::shared_ptr<StreamSink> sink = handler_.stream->WaitForSink();
  ASSERT_NE(sink, nullptr);
  sink->Write("data: last\n\n");
  sink->Close();
  EXPECT_TRUE(first.WaitForClose(5s));

  handler_.stream = std::make_shared<SinkHolder>();
  TestHttpClient second(port());
  ASSERT_TRUE(second.Send(test::BuildRequest("GET", "/stream")));
  ASSERT_NE(handler_.stream->WaitForSink(), nullptr);
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "an open stream holds no drain";
  EXPECT_TRUE(second.WaitForClose(5s));
  server_.reset();
}

TEST_F(ServerTest, StopGivesUpWaitingAfterDrainTimeout) {
  ServerOptions options;
  options.workers = 1;
  options.drain_timeout = 1s;
  StartServer(options);
  TestHttpClient running(port());
  ASSERT_TRUE(running.Send(test::BuildRequest("POST", "/block")));
  handler_.WaitForBlocked(1);
  TestHttpClient queued(port());
  ASSERT_TRUE(queued.Send(test::BuildRequest("POST", "/echo", {}, "q")));
  ASSERT_TRUE(WaitForMetric("nexus_worker_queue_depth 1\n"));
  TestHttpClient lingering(port());  // a 413 leaves a lingering connection behind
  ASSERT_TRUE(
      lingering.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n"));
  auto too_large = lingering.ReadResponse();
  ASSERT_TRUE(too_large.has_value());
  EXPECT_EQ(too_large->status, 413);
  std::thread releaser([this] {
    std::this_thread::sleep_for(1500ms);
    handler_.Release();
  });
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();  // waits 1 s for the drain, then for the pool to finish its tasks
  const auto elapsed = std::chrono::steady_clock::now() - start;
  releaser.join();
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 60s) << "Stop gave up on the lingering connection";
  EXPECT_EQ(handler_.calls(), 2);  // the queued request still ran before Stop returned
  server_.reset();                 // destroys whatever connections were left
}

TEST_F(ServerTest, StopWithoutTrafficDoesNotWaitOutTheDrain) {
  ServerOptions options;
  options.drain_timeout = 60s;
  StartServer(options);
  TestHttpClient idle(port());
  ASSERT_TRUE(idle.connected());
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, options.drain_timeout);
  server_->Stop();  // idempotent
}

TEST_F(ServerTest, StopWithoutStart) {
  HttpServer server(ServerOptions{}, handler_, metrics_);
  server.Stop();
  EXPECT_EQ(server.port(), 0);
}

TEST_F(ServerTest, BindFailureIsAnError) {
  StartServer();
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = port();
  HttpServer second(options, handler_, metrics_);
  const Status status = second.Start();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("cannot listen"), std::string::npos) << status.ToString();
}

TEST_F(ServerTest, HandlerExceptionBecomes500) {
  StartServer();
  TestHttpClient client(port());
  auto resp = client.Request("POST", "/throw", {}, "{}");
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 500);
  EXPECT_EQ(resp->body, R"({"detail":"Internal Server Error"})");
  auto again = client.Request("GET", "/health");  // the connection survives
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 200);
}

TEST_F(ServerTest, MalformedRequestLineGets400AndClose) {
  StartServer();
  TestHttpClient client(port());
  ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
  auto resp = client.ReadResponse();
  if (resp) {
    EXPECT_EQ(resp->status, 400);
    EXPECT_EQ(resp->body, R"({"detail":"Bad Request"})");
  }
  EXPECT_TRUE(client.WaitForClose(5s));

  TestHttpClient binary(port());
  ASSERT_TRUE(binary.Send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
  EXPECT_TRUE(binary.WaitForClose(5s));
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, HeadHasLengthButNoBody) {
  StartServer();
  TestHttpClient client(port());
  auto resp = client.Request("HEAD", "/big?1500");
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->Header("Content-Length"), "1500");
  EXPECT_TRUE(resp->body.empty());
  auto next = client.Request("GET", "/big?10");  // no stray body bytes in the stream
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, std::string(10, 'x'));
}

TEST_F(ServerTest, NotModifiedHasNoBody) {
  StartServer();
  TestHttpClient client(port());
  auto resp = client.Request("POST", "/not-modified", {}, "{}");
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 304);
  EXPECT_EQ(resp->Header("ETag"), "\"abc\"");
  EXPECT_FALSE(resp->HasHeader("Content-Length"));
  auto next = client.Request("GET", "/health");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, UnsafeHandlerHeadersAreDropped) {
  StartServer();
  TestHttpClient client(port());
  auto resp = client.Request("GET", "/bad-header");
  ASSERT_TRUE(resp.has_value());
  EXPECT_FALSE(resp->HasHeader("X-Injected"));
  EXPECT_FALSE(resp->HasHeader("Set-Cookie"));
  EXPECT_EQ(resp->Header("X-Fine"), "yes");
  EXPECT_EQ(resp->Header("Content-Length"), "2");
}

TEST_F(ServerTest, ExpectContinue) {
  StartServer();
  TestHttpClient client(port());
  ASSERT_TRUE(client.Send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("hello"));
  auto resp = client.ReadResponse();
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, "hello");
}

// RFC 9110 §10.1.1: a server ignores Expect: 100-continue from an HTTP/1.0 client, which
// would not understand the interim answer. The client sends its body without waiting.
TEST_F(ServerTest, ExpectContinueIsIgnoredForHttp10) {
  StartServer();
  TestHttpClient client(port());
  ASSERT_TRUE(
      client.Send("POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  ASSERT_TRUE(client.Send("hello"));
  auto resp = client.ReadResponse();
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, "hello");
}

TEST_F(ServerTest, Http10ClosesAfterResponse) {
  StartServer();
  TestHttpClient client(port());
  ASSERT_TRUE(client.Send("GET /health HTTP/1.0\r\n\r\n"));
  auto resp = client.ReadResponse();
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 200);
  EXPECT_TRUE(client.WaitForClose(2s));
}

TEST_F(ServerTest, Http10KeepAliveIsAnsweredInKind) {
  StartServer();
  TestHttpClient client(port());
  ASSERT_TRUE(client.Send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto resp = client.ReadResponse();
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->Header("Connection"), "keep-alive");
  EXPECT_EQ(resp->Header("Server"), "nexus");
  EXPECT_EQ(resp->Header("Content-Length"), std::to_string(resp->body.size()));
  ASSERT_TRUE(client.Send("GET /health HTTP/1.0\r\n\r\n"));  // the connection stayed open
  auto again = client.ReadResponse();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 200);
  EXPECT_FALSE(again->HasHeader("Connection"));
  EXPECT_TRUE(client.WaitForClose(2s));
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  TestHttpClient client(port());
  auto resp = client.Request("GET", "/health", {{"Connection", "close"}});
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose(2s));
}

TEST_F(ServerTest, RequestQueuedPastDeadlineIsNotRun) {
  ServerOptions options;
  options.workers = 1;
  options.request_deadline = 1s;
  StartServer(options);
  TestHttpClient running(port());
  ASSERT_TRUE(running.Send(test::BuildRequest("POST", "/block")));
  handler_.WaitForBlocked(1);
  TestHttpClient late(port());
  ASSERT_TRUE(late.Send(test::BuildRequest("POST", "/echo", {}, "x")));
  ASSERT_TRUE(WaitForMetric("nexus_worker_queue_depth 1\n"));
  std::this_thread::sleep_for(1200ms);
  handler_.Release();
  auto resp = late.ReadResponse();
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->status, 503);
  EXPECT_EQ(handler_.calls(), 1);  // only /block ran
}

TEST_F(ServerTest, MetricsCountRequests) {
  StartServer();
  TestHttpClient client(port());
  ASSERT_TRUE(client.Request("POST", "/api/nfs/read", {}, "{}").has_value());
  ASSERT_TRUE(client.Request("POST", "/api/nfs/write", {}, "{}").has_value());
  ASSERT_TRUE(client.Request("GET", "/health").has_value());
  const std::string text = metrics_.RenderPrometheus();
  EXPECT_NE(text.find("nexus_http_requests_total{route=\"/api/nfs\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("nexus_http_requests_total{route=\"/health\",status=\"200\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("nexus_http_request_duration_seconds_count{route=\"/api/nfs\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE nexus_worker_queue_depth gauge\n"), std::string::npos);
  EXPECT_NE(text.find("nexus_http_open_connections 1\n"), std::string::npos);
}

TEST_F(ServerTest, MetricsCountBackgroundErrorsByThread) {
  StartServer();
  RunGuarded("test_background", [] { throw std::runtime_error("a corrupt row"); });
  const std::string text = metrics_.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE nexus_background_errors_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("nexus_background_errors_total{thread=\"test_background\"} "),
            std::string::npos)
      << text;
}

TEST_F(ServerTest, ManyConcurrentClients) {
  StartServer();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      TestHttpClient client(port());
      for (int i = 0; i < 20; ++i) {
        const std::string body = std::to_string(t * 100 + i);
        auto resp = client.Request("POST", "/api/nfs/echo", {}, body);
        if (resp && resp->status == 200 && resp->body == body) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 16 * 20);
}

}  // namespace
}  // namespace nexus::server

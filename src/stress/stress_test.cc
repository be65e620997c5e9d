#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "stress/journal.h"
#include "stress/mix.h"
#include "stress/options.h"
#include "stress/rpc_client.h"
#include "stress/stats.h"
#include "testing/loopback_http_server.h"
#include "testing/temp_dir.h"

namespace nexus::stress {
namespace {

TEST(Mix, ParsesWeightsAndExpectedCodes) {
  StatusOr<Mix> mix = Mix::Parse("writes=4:-32006:-32000,waves=1");
  ASSERT_TRUE(mix.ok()) << mix.status().message();
  EXPECT_EQ(mix->Of(Kind::kWrites).weight, 4);
  EXPECT_EQ(mix->Of(Kind::kWrites).expected_codes, (std::set<int>{-32006, -32000}));
  EXPECT_EQ(mix->Of(Kind::kWaves).weight, 1);
  EXPECT_EQ(mix->Of(Kind::kRebac).weight, 0);
  EXPECT_TRUE(Mix::Parse(kDefaultMix).ok());
}

TEST(Mix, RejectsBadSpecs) {
  for (const char* spec : {"", "writes", "writes=", "writes=-1", "writes=x", "bogus=1",
                           "writes=1,writes=2", "writes=0,waves=0", "writes=1:abc"}) {
    StatusOr<Mix> mix = Mix::Parse(spec);
    EXPECT_FALSE(mix.ok()) << spec;
    if (!mix.ok()) {
      EXPECT_EQ(mix.status().code(), Code::kInvalidArgument) << spec;
    }
  }
}

TEST(Mix, PicksOnlyWeightedKindsInProportion) {
  StatusOr<Mix> mix = Mix::Parse("writes=3,skills=1,waves=0");
  ASSERT_TRUE(mix.ok());
  std::mt19937_64 rng(42);
  int writes = 0;
  for (int i = 0; i < 4000; ++i) {
    const Kind kind = mix->Pick(rng).kind;
    ASSERT_TRUE(kind == Kind::kWrites || kind == Kind::kSkills);
    writes += kind == Kind::kWrites;
  }
  EXPECT_GT(writes, 2700);
  EXPECT_LT(writes, 3300);
}

TEST(Journal, LinesRoundTripAndBadLinesAreRejected) {
  const JournalEntry e{"/tenant:default/user:admin/a \"q\".txt", 7, "abc", "def"};
  StatusOr<JournalEntry> back = ParseJournalLine(JournalLine(e));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, e);
  EXPECT_FALSE(ParseJournalLine("{\"path\":\"/a\",\"version\":\"7\"}").ok());
  EXPECT_FALSE(ParseJournalLine("not json").ok());
}

TEST(Journal, WriterAppendsAndReaderReadsBack) {
  test::TempDir dir;
  const std::string file = dir.path() + "/journal.jsonl";
  {
    StatusOr<std::unique_ptr<JournalWriter>> writer = JournalWriter::Open(file);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append({"/a", 1, "e1", "s1"}).ok());
    ASSERT_TRUE((*writer)->Append({"/a", 2, "e2", "s2"}).ok());
    ASSERT_TRUE((*writer)->Append({"/b", 1, "e3", "s3"}).ok());
  }
  StatusOr<std::vector<JournalEntry>> entries = ReadJournal(file);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ(LatestPerPath(*entries),
            (std::vector<JournalEntry>{{"/a", 2, "e2", "s2"}, {"/b", 1, "e3", "s3"}}));
  EXPECT_EQ(ReadJournal(dir.path() + "/missing").status().code(), Code::kNotFound);
  std::ofstream(file, std::ios::app) << "garbage\n";
  EXPECT_EQ(ReadJournal(file).status().code(), Code::kInvalidArgument);
}

CallOutcome Outcome(const std::string& method, int http_status, int rpc_code = 0) {
  CallOutcome call;
  call.method = method;
  call.ms = 1;
  call.http_status = http_status;
  call.rpc_code = rpc_code;
  if (http_status == 0) call.transport_error = "reset";
  return call;
}

TEST(Stats, ClassifiesFailures) {
  Stats stats;
  stats.Record(Outcome("read", 200));
  stats.Record(Outcome("read", 200, -32000), {-32000});
  EXPECT_TRUE(stats.clean());
  stats.Record(Outcome("read", 200, -32603));
  stats.Record(Outcome("write", 503));
  stats.Record(Outcome("write", 0));
  stats.RecordFailure("read-back differs", "/a");
  EXPECT_EQ(stats.calls(), 5);
  EXPECT_EQ(stats.server_errors(), 1);
  EXPECT_EQ(stats.transport_errors(), 1);
  EXPECT_EQ(stats.unexpected(), 2);
  Stats merged;
  merged.Merge(stats);
  merged.Merge(stats);
  EXPECT_EQ(merged.calls(), 10);
  EXPECT_EQ(merged.server_errors(), 2);
  EXPECT_FALSE(merged.clean());
}

// Under --failover what a dying node or database does to a call is counted apart; a wrong
// answer or any other server error still fails the run.
TEST(Stats, FailoverInterruptionsAreCountedApart) {
  Stats stats(/*interruptions_expected=*/true);
  for (const int status : {0, 502, 503, 504}) stats.Record(Outcome("write", status));
  CallOutcome partly = Outcome("write", 200, -32603);
  partly.error_message =
      "I/O error: part of the call was saved before the database became unavailable: gone";
  stats.Record(partly);
  EXPECT_EQ(stats.interrupted(), 5);
  EXPECT_TRUE(stats.clean());
  stats.Record(Outcome("write", 500));
  EXPECT_EQ(stats.interrupted(), 5);
  EXPECT_EQ(stats.server_errors(), 1);
  EXPECT_FALSE(stats.clean());
  Stats strict;
  strict.Record(Outcome("write", 502));
  EXPECT_EQ(strict.interrupted(), 0);
  EXPECT_FALSE(strict.clean());
}

TEST(Stats, QuantileIsNearestRank) {
  const std::vector<double> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(Quantile(v, 0.5), 5);
  EXPECT_EQ(Quantile(v, 0.9), 9);
  EXPECT_EQ(Quantile(v, 0.99), 10);
  EXPECT_EQ(Quantile(v, 0), 1);
  EXPECT_EQ(Quantile({}, 0.5), 0);
}

TEST(Options, ServerUrlDefaultsToHttpAndPort8080) {
  EXPECT_EQ(ServerUrl("127.0.0.1").value(), "http://127.0.0.1:8080");
  EXPECT_EQ(ServerUrl("localhost:9000").value(), "http://localhost:9000");
  EXPECT_EQ(ServerUrl("[::1]").value(), "http://[::1]:8080");
  EXPECT_EQ(ServerUrl("http://localhost:9000/").value(), "http://localhost:9000/");
  EXPECT_EQ(ServerUrl("https://nexus.example/base").value(), "https://nexus.example/base");
  for (const char* bad : {"ftp://x:1", "http://x:0", "http://x:99999", "http://x:1a", "http://:80",
                          "x:0", "http://x/?q=1"}) {
    EXPECT_EQ(ServerUrl(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(Outcome, ClassifiesByRpcCodeHttpStatusAndTransport) {
  const CallOutcome result = OutcomeOf("read", Value{{"ok", true}});
  EXPECT_TRUE(result.ok());
  EXPECT_TRUE(result.result["ok"].AsBool());

  const CallOutcome rpc =
      OutcomeOf("read", Status(Code::kNotFound, "File not found: /a", {{"rpc_code", "-32000"}}));
  EXPECT_EQ(rpc.http_status, 200);
  EXPECT_EQ(rpc.rpc_code, -32000);
  EXPECT_EQ(rpc.error_message, "File not found: /a");

  // 503 is kUnavailable to the client library, yet it is the server's answer: an HTTP error.
  const std::vector<std::pair<Code, int>> answers = {
      {Code::kUnavailable, 503}, {Code::kIOError, 500}, {Code::kUnauthenticated, 401}};
  for (const auto& [code, http] : answers) {
    const CallOutcome answered =
        OutcomeOf("write", Status(code, "answered", {{"http_status", std::to_string(http)}}));
    EXPECT_EQ(answered.http_status, http);
    EXPECT_EQ(answered.rpc_code, 0);
    EXPECT_FALSE(answered.ok());
  }

  const CallOutcome transport = OutcomeOf("write", Status(Code::kUnavailable, "timed out"));
  EXPECT_EQ(transport.http_status, 0);
  EXPECT_EQ(transport.transport_error, "timed out");

  const CallOutcome garbled = OutcomeOf("list", Status(Code::kIOError, "not JSON-RPC"));
  EXPECT_EQ(garbled.http_status, 200);
  EXPECT_EQ(garbled.rpc_code, -32700);
}

ClientConfig ConfigFor(const test::LoopbackHttpServer& server) {
  ClientConfig config;
  config.url = server.url("");
  config.api_key = "sk-test";
  config.timeout = std::chrono::milliseconds(10000);
  return config;
}

test::CannedReply RpcAnswer(std::string_view body) {
  return {200, {{"Content-Type", "application/json"}}, std::string(body)};
}

// Against a server that answers each method its own way: every kind of failure is counted
// once, under its kind, and nothing is sent twice.
TEST(RpcClient, CountsEachFailureOnceUnderItsKind) {
  test::LoopbackHttpServer server([](const test::ReceivedRequest& r) {
    if (r.target == "/api/nfs/busy") return test::CannedReply{503, {{"Retry-After", "0"}}, "busy"};
    if (r.target == "/api/nfs/broken") return test::CannedReply{500, {}, "boom"};
    if (r.target == "/api/nfs/garbled") return RpcAnswer("<html></html>");
    if (r.target == "/api/nfs/slow") {
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
    }
    if (r.target == "/api/nfs/missing") {
      return RpcAnswer(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"gone"}})");
    }
    return RpcAnswer(R"({"jsonrpc":"2.0","id":1,"result":{"n":7}})");
  });
  ClientConfig config = ConfigFor(server);
  RpcClient rpc(config);
  EXPECT_EQ(rpc.Call("read").result["n"].AsInt(), 7);
  EXPECT_EQ(rpc.Call("busy").http_status, 503);
  EXPECT_EQ(rpc.Call("broken").http_status, 500);
  EXPECT_EQ(rpc.Call("garbled").rpc_code, -32700);
  const CallOutcome missing = rpc.Call("missing");
  EXPECT_EQ(missing.rpc_code, -32000);
  EXPECT_EQ(missing.error_message, "gone");
  config.timeout = std::chrono::milliseconds(150);
  const CallOutcome slow = RpcClient(config).Call("slow");
  EXPECT_EQ(slow.http_status, 0);
  EXPECT_NE(slow.transport_error.find("timed out"), std::string::npos) << slow.transport_error;
  EXPECT_EQ(server.request_count(), 6u) << "a stress client resends nothing";

  Stats stats;
  for (const char* method : {"busy", "broken", "garbled"}) stats.Record(rpc.Call(method));
  EXPECT_EQ(stats.server_errors(), 2);
  EXPECT_EQ(stats.unexpected(), 1);
}

TEST(RpcClient, AnUnreachableServerIsATransportError) {
  uint16_t port = 0;
  {
    test::LoopbackHttpServer closed(
        [](const test::ReceivedRequest&) { return test::CannedReply{}; });
    port = closed.port();
  }
  ClientConfig config;
  config.url = "http://127.0.0.1:" + std::to_string(port);
  config.api_key = "sk-test";
  RpcClient rpc(config);
  const CallOutcome outcome = rpc.Call("list");
  EXPECT_EQ(outcome.http_status, 0);
  EXPECT_NE(outcome.transport_error.find(std::to_string(port)), std::string::npos)
      << outcome.transport_error;
  Stats stats;
  stats.Record(outcome);
  EXPECT_EQ(stats.transport_errors(), 1);
  EXPECT_FALSE(RpcClient(config).GetJson("/api/auth/whoami").ok());
}

// The server answers nothing until four requests are in: a round of CallAtOnce completes
// only when all of its calls are in flight together. Answers come back in call order.
TEST(RpcClient, CallAtOnceHasARoundsCallsInFlightTogether) {
  const test::LoopbackHttpServer* self = nullptr;
  test::LoopbackHttpServer server([&self](const test::ReceivedRequest& r) {
    if (!self->WaitForRequests(RpcClient::kMaxParallel, std::chrono::seconds(5))) {
      return test::CannedReply{500, {}, "the round's calls came one at a time"};
    }
    const std::string method = r.target.substr(r.target.rfind('/') + 1);
    return RpcAnswer(R"({"jsonrpc":"2.0","id":1,"result":")" + method + "\"}");
  });
  self = &server;
  RpcClient rpc(ConfigFor(server));
  std::vector<RpcCall> calls;
  for (const char* method : {"a", "b", "c", "d", "e", "f"}) calls.push_back({method});
  const std::vector<CallOutcome> outcomes = rpc.CallAtOnce(calls);
  ASSERT_EQ(outcomes.size(), calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_TRUE(outcomes[i].ok()) << outcomes[i].method << ": " << outcomes[i].error_message;
    EXPECT_EQ(outcomes[i].method, calls[i].method);
    EXPECT_EQ(outcomes[i].result.AsString(), calls[i].method);
    EXPECT_GT(outcomes[i].ms, 0);
  }
  EXPECT_EQ(server.request_count(), calls.size());
}

}  // namespace
}  // namespace nexus::stress

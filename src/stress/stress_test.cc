#include <gtest/gtest.h>

#include <fstream>

#include "stress/journal.h"
#include "stress/mix.h"
#include "stress/options.h"
#include "stress/stats.h"
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

TEST(Stats, QuantileIsNearestRank) {
  const std::vector<double> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(Quantile(v, 0.5), 5);
  EXPECT_EQ(Quantile(v, 0.9), 9);
  EXPECT_EQ(Quantile(v, 0.99), 10);
  EXPECT_EQ(Quantile(v, 0), 1);
  EXPECT_EQ(Quantile({}, 0.5), 0);
}

TEST(Options, ParsesUrls) {
  StatusOr<ServerAddress> a = ParseUrl("http://localhost:9000/");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "localhost");
  EXPECT_EQ(a->port, 9000);
  EXPECT_EQ(ParseUrl("http://example").value().port, 80);
  EXPECT_EQ(ParseUrl("127.0.0.1").value().port, 8080);
  for (const char* bad : {"https://x:1", "http://x:1/api", "http://x:0", "http://x:99999",
                          "http://x:1a", "http://:80"}) {
    EXPECT_EQ(ParseUrl(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace nexus::stress

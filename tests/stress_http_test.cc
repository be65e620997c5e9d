// nexus-stress against the real server on both engines: the whole mix runs clean and its
// journal verifies; verification notices lost and altered writes; a non-admin's run stays in
// their home and their journal cannot be checked by another user or tenant.
#include <memory>

#include "stress/journal.h"
#include "stress/runner.h"
#include "stress/verify.h"
#include "tests/http_test_fixture.h"

namespace nexus::e2e {
namespace {

class StressHttpTest : public HttpTest {
 protected:
  stress::ClientConfig Config(const std::string& key = kAdminKey) const {
    stress::ClientConfig config;
    config.url = "http://127.0.0.1:" + std::to_string(port());
    config.api_key = key;
    return config;
  }

  // Runs `count` scenarios of `mix` on `clients` clients, journaling into journal_file().
  stress::RunResult RunMix(const std::string& mix_spec, int clients, int64_t count,
                           const std::string& key = kAdminKey) {
    StatusOr<stress::Mix> mix = stress::Mix::Parse(mix_spec);
    EXPECT_TRUE(mix.ok());
    StatusOr<stress::Fixtures> fixtures = stress::Prepare(Config(key), *mix);
    EXPECT_TRUE(fixtures.ok()) << fixtures.status().message();
    if (!fixtures.ok()) return {};
    StatusOr<std::unique_ptr<stress::JournalWriter>> journal =
        stress::JournalWriter::Open(journal_file());
    EXPECT_TRUE(journal.ok());
    stress::RunOptions options;
    options.client = Config(key);
    options.clients = clients;
    options.count = count;
    options.journal = journal->get();
    stress::RunResult result = stress::RunClients(options, *mix, *fixtures);
    if (!result.stats.clean()) result.stats.Print(stderr, result.seconds);
    return result;
  }

  std::vector<stress::JournalEntry> Journal() {
    StatusOr<std::vector<stress::JournalEntry>> entries = stress::ReadJournal(journal_file());
    EXPECT_TRUE(entries.ok());
    return entries.ok() ? *entries : std::vector<stress::JournalEntry>{};
  }

  std::string journal_file() const { return dir_.path() + "/journal.jsonl"; }
};

TEST_P(StressHttpTest, WholeMixRunsCleanAndItsJournalVerifies) {
  const stress::RunResult result =
      RunMix("waves=3,agents=1,writes=4,rebac=1,skills=1,sandboxes=1", 4, 80);
  EXPECT_TRUE(result.stats.clean());
  EXPECT_EQ(result.scenarios, 80);
  const std::vector<stress::JournalEntry> entries = Journal();
  ASSERT_FALSE(entries.empty());
  for (const stress::JournalEntry& e : entries) {
    EXPECT_TRUE(e.path.starts_with("/tenant:default/user:admin/stress/c")) << e.path;
    EXPECT_EQ(e.etag, e.sha256) << "etags are content SHA-256 (docs/compatibility.md)";
  }
  const stress::VerifyReport report = stress::VerifyJournal(Config(), entries, 3);
  EXPECT_TRUE(report.ok()) << report.Summary();
  EXPECT_EQ(report.versions_checked, static_cast<int64_t>(entries.size()));
  EXPECT_EQ(report.paths_checked, static_cast<int64_t>(stress::LatestPerPath(entries).size()));
  // The run registered the Agents page's agents and created a skill on the plain server.
  EXPECT_EQ(Result("list_agents", Json::object()).size(), 3u);
  EXPECT_EQ(Result("skills_info", {{"skill_name", "stress-skill"}})["name"], "stress-skill");
}

TEST_P(StressHttpTest, VerifyNoticesLostAndAlteredWrites) {
  ASSERT_TRUE(RunMix("writes=1", 1, 3).stats.clean());
  std::vector<stress::JournalEntry> entries = Journal();
  ASSERT_EQ(entries.size(), 3u);
  stress::JournalEntry altered = entries.front();
  altered.sha256 = std::string(64, '0');
  stress::JournalEntry missing_version = entries.front();
  missing_version.version = 999;
  const stress::JournalEntry missing_path{"/tenant:default/user:admin/never-written", 1, "e", "s"};
  const stress::VerifyReport report =
      stress::VerifyJournal(Config(), {altered, missing_version, missing_path}, 1);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.wrong, 2) << report.Summary();  // other content; current version older
  EXPECT_EQ(report.lost, 3) << report.Summary();   // version 999 and the path, twice
  EXPECT_EQ(report.errors, 0) << report.Summary();
}

TEST_P(StressHttpTest, UserRunStaysHomeAndOthersCannotReadItsWrites) {
  const std::string bob = NewUserKey("bob");
  const stress::RunResult result = RunMix("writes=3,rebac=1,skills=1", 2, 30, bob);
  EXPECT_TRUE(result.stats.clean());
  const std::vector<stress::JournalEntry> entries = Journal();
  ASSERT_FALSE(entries.empty());
  for (const stress::JournalEntry& e : entries) {
    EXPECT_TRUE(e.path.starts_with("/tenant:default/user:bob/stress/")) << e.path;
  }
  EXPECT_TRUE(stress::VerifyJournal(Config(bob), entries, 2).ok());
  EXPECT_TRUE(stress::VerifyJournal(Config(), entries, 2).ok()) << "the tenant admin sees all";

  for (const std::string& other : {NewUserKey("alice"), NewUserKey("carol", "other")}) {
    const stress::VerifyReport report = stress::VerifyJournal(Config(other), entries, 2);
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(report.wrong, 0) << "no content may leak: " << report.Summary();
    EXPECT_EQ(report.lost + report.errors, report.versions_checked + report.paths_checked);
    EXPECT_EQ(ErrorCode("get_version", {{"path", entries.front().path}, {"version", 1}}, other),
              -32004);
  }
}

TEST_P(StressHttpTest, PrepareRefusesAKeyTheServerDoesNotKnow) {
  StatusOr<stress::Mix> mix = stress::Mix::Parse(stress::kDefaultMix);
  ASSERT_TRUE(mix.ok());
  StatusOr<stress::Fixtures> fixtures =
      stress::Prepare(Config("sk-default_nobody_00000000_0000000000000000000000000000000"), *mix);
  EXPECT_FALSE(fixtures.ok());
}

NEXUS_INSTANTIATE_ENGINES(StressHttpTest);

}  // namespace
}  // namespace nexus::e2e

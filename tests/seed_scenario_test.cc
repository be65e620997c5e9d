// The seed's crash scenario (seed/crash-reproduction-guide.md) as a permanent test: the demo
// server on SQLite, the seven waves of the web frontend's page loads with each wave's calls
// fired at once and its size multiplied by 20, for 50 rounds; then the Agents page for 20
// agents. The reference corrupted its database and died here; we must answer every call.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "tests/http_test_fixture.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::e2e {
namespace {

constexpr int kWaveMultiplier = 20;
constexpr int kRounds = 50;
constexpr int kAgents = 20;
constexpr char kHome[] = "/tenant:default/user:admin/";

const std::set<std::string>& DemoSkills() {
  static const std::set<std::string> kNames = {"nexus-memory",      "nexus-paths",
                                               "nexus-permissions", "nexus-sandboxes",
                                               "nexus-versions",    "skill-authoring"};
  return kNames;
}

// One call of a wave: an RPC method with its params, or "GET /health".
struct Call {
  std::string method;
  Json params = Json::object();
};

std::vector<Call> Times(const std::vector<Call>& calls, int n) {
  std::vector<Call> out;
  for (int i = 0; i < n; ++i) out.insert(out.end(), calls.begin(), calls.end());
  return out;
}

// The seven waves of the guide, each multiplied.
std::vector<std::vector<Call>> SeedWaves() {
  std::vector<Call> wave4, wave7;
  for (const char* dir : {"skill/", "agent/", "workspace/", "connector/", "memory/"})
    wave4.push_back({"list", {{"path", std::string(kHome) + dir}}});
  for (const std::string& skill : DemoSkills())
    wave7.push_back({"read", {{"path", std::string(kHome) + "skill/" + skill + "/SKILL.md"}}});
  const std::vector<std::vector<Call>> waves = {
      {{"list_mounts"},
       {"list", {{"path", "/"}}},
       {"list", {{"path", "/tenant:default/"}}},
       {"list", {{"path", kHome}}}},
      {{"list_agents"}, {"rebac_list_tuples"}, {"list_workspaces"}},
      {{"skills_list"}},
      wave4,
      {{"skills_list"}},
      {{"sandbox_get_or_create", {{"name", "admin,ImpersonatedUser"}}},
       {"sandbox_get_or_create", {{"name", "admin,UntrustedAgent"}}},
       {"GET /health"}},
      wave7};
  std::vector<std::vector<Call>> out;
  for (const std::vector<Call>& wave : waves) out.push_back(Times(wave, kWaveMultiplier));
  return out;
}

class SeedScenarioTest : public HttpTest {
 protected:
  std::vector<std::string> ServeArgs() const override { return {"--demo"}; }

  // Fires every call at once, one connection each, and waits for all of them.
  void FireAtOnce(const std::vector<Call>& calls) {
    std::vector<std::thread> threads;
    threads.reserve(calls.size());
    for (const Call& call : calls) threads.emplace_back([this, &call] { Perform(call); });
    for (std::thread& t : threads) t.join();
  }

  void Perform(const Call& call) {
    const auto start = std::chrono::steady_clock::now();
    test::ClientResponse r = call.method == "GET /health"
                                 ? test::Fetch(port(), "GET", "/health")
                                 : Post(call.method, Json{{"jsonrpc", "2.0"},
                                                          {"id", 1},
                                                          {"method", call.method},
                                                          {"params", call.params}}
                                                         .dump());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    MutexLock lock(&mu_);
    ++calls_;
    const Json body = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (r.status != 200 || body.is_discarded() || body.contains("error")) {
      if (r.status >= 500 || r.status == 0) ++server_errors_;
      if (failures_.size() < 10)
        failures_.push_back(call.method + " -> " + std::to_string(r.status) + " " + r.body);
      return;
    }
    if (call.method != "skills_list") return;
    skills_list_ms_.push_back(ms);
    std::set<std::string> names;
    for (const Json& skill : body["result"]["skills"]) names.insert(skill.value("name", ""));
    if (names != DemoSkills()) failures_.push_back("skills_list answered " + body.dump());
  }

  bool Failed() {
    MutexLock lock(&mu_);
    return !failures_.empty();
  }

  double Percentile(double p) REQUIRES(mu_) {
    std::sort(skills_list_ms_.begin(), skills_list_ms_.end());
    return skills_list_ms_[static_cast<size_t>(p * (skills_list_ms_.size() - 1))];
  }

  std::string IntegrityCheck() {
    std::string out;
    FILE* pipe =
        ::popen(("sqlite3 '" + dir_.path() + "/nexus.db' 'PRAGMA integrity_check'").c_str(), "r");
    if (pipe == nullptr) return "popen failed";
    char buf[256];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
    ::pclose(pipe);
    return out;
  }

  Mutex mu_;
  int calls_ GUARDED_BY(mu_) = 0;
  int server_errors_ GUARDED_BY(mu_) = 0;              // 5xx and transport failures
  std::vector<std::string> failures_ GUARDED_BY(mu_);  // the first few, for the report
  std::vector<double> skills_list_ms_ GUARDED_BY(mu_);
};

TEST_P(SeedScenarioTest, SevenWavesTimesTwentyThenTheAgentsPage) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::vector<Call>> waves = SeedWaves();
  for (int round = 0; round < kRounds && !Failed(); ++round) {
    for (const std::vector<Call>& wave : waves) FireAtOnce(wave);
  }

  // The Agents page: list the agents, then for each at once its tuples, skills, mounts and
  // workspaces.
  for (int i = 0; i < kAgents; ++i) {
    ASSERT_EQ(ErrorCode("register_agent", {{"agent_id", "admin,page-agent-" + std::to_string(i)},
                                           {"name", "Page agent " + std::to_string(i)}}),
              0);
  }
  for (int round = 0; round < kRounds && !Failed(); ++round) {
    FireAtOnce({{"list_agents"}});
    std::vector<Call> page;
    for (int i = 0; i < kAgents; ++i) {
      page.push_back(
          {"rebac_list_tuples",
           {{"subject", Json::array({"agent", "admin,page-agent-" + std::to_string(i)})}}});
      page.push_back({"skills_list"});
      page.push_back({"list_mounts"});
      page.push_back({"list_workspaces"});
    }
    FireAtOnce(page);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  {
    MutexLock lock(&mu_);  // the calls are over; the lock is for the analysis
    EXPECT_EQ(server_errors_, 0);
    EXPECT_TRUE(failures_.empty()) << ::testing::PrintToString(failures_);
    ASSERT_FALSE(skills_list_ms_.empty());
    std::printf("seed scenario: %d calls in %.1f s; skills_list p50 %.2f ms, p99 %.2f ms (n=%zu)\n",
                calls_, seconds, Percentile(0.50), Percentile(0.99), skills_list_ms_.size());
  }
  EXPECT_EQ(test::Fetch(port(), "GET", "/health").status, 200) << "still serving";
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(IntegrityCheck(), "ok\n");
  EXPECT_EQ(Fsck(), 0);
}

INSTANTIATE_TEST_SUITE_P(Demo, SeedScenarioTest, ::testing::Values(Engine::kSqlite),
                         [](const auto&) { return "Sqlite"; });

}  // namespace
}  // namespace nexus::e2e

// The whole cluster of tools/cluster.sh (PostgreSQL primary and synchronous standby under
// pg_auto_failover, three nodes, HAProxy) under nexus-stress, through the balancer: as it
// is, with a node SIGKILLed mid-load, and with the database's primary killed mid-load. In
// every case no answer is wrong and every acknowledged write is found afterwards.
#include <sys/stat.h>

#include <stdlib.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "testing/child_process.h"
#include "testing/eventually.h"
#include "testing/http_client.h"
#include "testing/temp_dir.h"

namespace nexus::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kScript = std::string(NEXUS_SOURCE_DIR) + "/tools/cluster.sh";
const std::string kStress = std::string(NEXUS_BUILD_DIR) + "/nexus-stress";
constexpr char kMix[] = "waves=3,agents=1,writes=4,rebac=1,skills=1";
// tools/cluster.sh provisions its nodes with this key.
constexpr char kAdminKey[] = "sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

class FailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Under /tmp, not TMPDIR: the database servers run as another user, who must reach
    // their directories; `stop` removes it.
    char dir[] = "/tmp/nexus-cluster-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    ASSERT_EQ(::chmod(dir, 0755), 0);
    dir_ = dir;
    const test::ChildResult started = Script({"start", dir_}, seconds(240));
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
    std::ifstream env(dir_ + "/env");
    std::string line;
    while (std::getline(env, line)) {
      std::smatch m;
      if (std::regex_search(line, m, std::regex("NEXUS_CLUSTER_URL='(.*)'"))) url_ = m[1];
      if (std::regex_search(line, m, std::regex("^NODE(\\d)_PORT=(\\d+)"))) {
        node_ports_.push_back(static_cast<uint16_t>(std::stoi(m[2])));
      }
    }
    ASSERT_FALSE(url_.empty());
    ASSERT_EQ(node_ports_.size(), 3u);
  }

  void TearDown() override {
    const test::ChildResult stopped = Script({"stop", dir_}, seconds(120));
    EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  }

  test::ChildResult Script(std::vector<std::string> args, milliseconds timeout = seconds(60)) {
    args.insert(args.begin(), kScript);
    test::ChildOptions options;
    options.env = {"NEXUS_BUILD=" + std::string(NEXUS_BUILD_DIR)};
    options.timeout = timeout;
    return test::RunChild("/bin/bash", args, options);
  }

  // nexus-stress through the balancer for `secs` seconds (times NEXUS_CLUSTER_SOAK, for
  // `make cluster-test`), journaling acknowledged writes.
  test::ChildResult Stress(int secs, bool failover) {
    if (const char* soak = std::getenv("NEXUS_CLUSTER_SOAK")) secs *= std::max(1, std::atoi(soak));
    std::vector<std::string> args = {
        "--url", url_, "--clients", "8",      "--duration", std::to_string(secs),
        "--mix", kMix, "--journal", journal()};
    if (failover) args.push_back("--failover");
    test::ChildOptions options;
    options.env = {std::string("NEXUS_API_KEY=") + kAdminKey};
    options.timeout = seconds(secs + 120);
    return test::RunChild(kStress, args, options);
  }

  // Every acknowledged write of the journal, read back through the balancer.
  test::ChildResult Verify() {
    test::ChildOptions options;
    options.env = {std::string("NEXUS_API_KEY=") + kAdminKey};
    options.timeout = seconds(120);
    return test::RunChild(kStress, {"--url", url_, "--clients", "8", "--verify", journal()},
                          options);
  }

  std::string journal() const { return journal_dir_.path() + "/journal.jsonl"; }

  bool AllNodesHealthy() {
    for (uint16_t port : node_ports_) {
      if (test::Fetch(port, "GET", "/health").status != 200) return false;
    }
    return true;
  }

  test::TempDir journal_dir_;
  std::string dir_;
  std::string url_;
  std::vector<uint16_t> node_ports_;
};

// "errors: 0 5xx, 0 transport, 0 unexpected" and the verifier's "0 lost, 0 wrong, 0 errors".
void ExpectClean(const test::ChildResult& run, const char* what) {
  EXPECT_EQ(run.exit_code, 0) << what << ":\n" << run.out << run.err;
}

TEST_F(FailoverTest, StressThroughTheBalancer) {
  ExpectClean(Stress(6, /*failover=*/false), "stress");
  ExpectClean(Verify(), "verify");
}

// An MCP session lives on the node that opened it: every call of a session made through the
// balancer reaches that node (round robin would send two of three elsewhere, answered 404).
TEST_F(FailoverTest, McpSessionsThroughTheBalancerStayOnTheirNodes) {
  const auto balancer = static_cast<uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
  const auto mcp = [&](const std::string& body, const std::string& session) {
    server::HeaderList headers = {{"Authorization", std::string("Bearer ") + kAdminKey},
                                  {"Content-Type", "application/json"},
                                  {"Accept", "application/json, text/event-stream"}};
    if (!session.empty()) headers.emplace_back("Mcp-Session-Id", session);
    return test::Fetch(balancer, "POST", "/mcp", headers, body);
  };
  for (int s = 0; s < 3; ++s) {
    const test::ClientResponse opened =
        mcp(R"({"jsonrpc":"2.0","id":1,"method":"initialize",)"
            R"("params":{"protocolVersion":"2025-03-26","capabilities":{}}})",
            "");
    ASSERT_EQ(opened.status, 200) << opened.body;
    const std::string session = opened.Header("Mcp-Session-Id");
    ASSERT_FALSE(session.empty());
    for (int i = 0; i < 9; ++i) {
      const test::ClientResponse r =
          mcp(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", session);
      EXPECT_EQ(r.status, 200) << "call " << i << " of session " << s << ": " << r.body;
    }
  }
}

TEST_F(FailoverTest, NodeKilledMidLoadIsLeftOutAndItsAcknowledgedWritesStay) {
  test::ChildResult run;
  std::thread stress([&] { run = Stress(12, /*failover=*/true); });
  std::this_thread::sleep_for(seconds(4));
  const test::ChildResult killed = Script({"kill-node", dir_, "2"});
  stress.join();
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  ExpectClean(run, "stress across the kill");
  const test::ChildResult restarted = Script({"start-node", dir_, "2"}, seconds(120));
  ASSERT_EQ(restarted.exit_code, 0) << restarted.out << restarted.err;
  EXPECT_TRUE(test::Eventually([&] { return AllNodesHealthy(); }, seconds(30)));
  ExpectClean(Verify(), "verify after the restart");
}

TEST_F(FailoverTest, PrimaryKilledMidLoadFailsOverAndNodesFollowWithoutRestart) {
  const test::ChildResult before = Script({"primary", dir_});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  test::ChildResult run;
  std::thread stress([&] { run = Stress(30, /*failover=*/true); });
  std::this_thread::sleep_for(seconds(5));
  const test::ChildResult killed = Script({"kill-primary", dir_});
  stress.join();
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  EXPECT_EQ(killed.out, before.out) << "the primary was the one killed";
  ExpectClean(run, "stress across the failover");
  std::fprintf(stderr, "%s\n", run.out.substr(run.out.find("errors:")).c_str());
  const test::ChildResult after = Script({"primary", dir_});
  EXPECT_NE(after.out, before.out) << "the standby took over";
  // The same processes, reconnected: no node was restarted.
  EXPECT_TRUE(test::Eventually([&] { return AllNodesHealthy(); }, seconds(30)));
  ExpectClean(Verify(), "verify after the failover");
}

}  // namespace
}  // namespace nexus::e2e

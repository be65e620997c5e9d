// A sandbox belongs to the node that made it; calls for it through any other node are
// forwarded there and answered as if made there, and once its node is dead the sandbox is
// stopped and its name can be given to a new one.
#include <signal.h>

#include "testing/eventually.h"
#include "tests/cluster/cluster_test_fixture.h"

namespace nexus::e2e {
namespace {

class SandboxForwardingTest : public ClusterTest {
 protected:
  void SetUp() override {
    StartCluster(2);
    if (IsSkipped() || HasFatalFailure()) return;
    alice_ = NewUserKey("alice")["api_key"];
  }

  Json Run(int node, const std::string& id, const std::string& code) {
    return Rpc(node, "sandbox_run", Json{{"sandbox_id", id}, {"language", "bash"}, {"code", code}},
               alice_);
  }

  std::string alice_;
};

TEST_F(SandboxForwardingTest, MadeThroughOneNodeRunThroughTheOther) {
  const Json box = Result(0, "sandbox_create", Json{{"name", "box"}}, alice_);
  ASSERT_TRUE(box.contains("sandbox_id")) << box.dump();
  const std::string id = box["sandbox_id"];
  // Found through the other node as its owner finds it (the lookup changed nothing there, so
  // the call is forwarded rather than refused as partly made).
  EXPECT_EQ(Result(1, "sandbox_get_or_create", Json{{"name", "box"}}, alice_)["sandbox_id"], id);
  // The home is node 0's: a file written by one run is read by the next, whichever node
  // each call reached.
  const Json wrote = Run(1, id, "echo kept > note.txt && echo written");
  ASSERT_TRUE(wrote.contains("result")) << wrote.dump();
  EXPECT_EQ(wrote["result"]["exit_code"], 0) << wrote.dump();
  EXPECT_EQ(wrote["result"]["stdout"], "written\n");
  const Json read = Run(0, id, "cat note.txt");
  EXPECT_EQ(read["result"]["stdout"], "kept\n") << read.dump();

  EXPECT_EQ(Result(1, "sandbox_pause", Json{{"sandbox_id", id}}, alice_)["status"], "paused");
  EXPECT_EQ(Result(1, "sandbox_status", Json{{"sandbox_id", id}}, alice_)["status"], "paused");
  EXPECT_EQ(Run(1, id, "true")["error"]["code"], -32005) << "a paused sandbox runs nothing";
  EXPECT_EQ(Result(1, "sandbox_resume", Json{{"sandbox_id", id}}, alice_)["status"], "active");
  EXPECT_EQ(Run(1, id, "echo again")["result"]["stdout"], "again\n");

  // Another user's sandbox stays theirs through any node.
  const std::string bob = NewUserKey("bob")["api_key"];
  EXPECT_EQ(Rpc(1, "sandbox_status", Json{{"sandbox_id", id}}, bob)["error"]["code"], -32000);

  EXPECT_TRUE(test::Fetch(port(1), "GET", "/metrics").body.find("nexus_rpc_forwarded_total") !=
              std::string::npos);
  EXPECT_EQ(Result(1, "sandbox_stop", Json{{"sandbox_id", id}}, alice_)["status"], "stopped");
}

// An MCP client's session lives on one node; its tools reach a sandbox another node runs.
TEST_F(SandboxForwardingTest, McpToolsOnOneNodeRunInTheOthersSandbox) {
  const Json box = Result(0, "sandbox_create", Json{{"name", "mcp-box"}}, alice_);
  const std::string id = box["sandbox_id"];
  const auto mcp = [&](const Json& message, const std::string& session) {
    server::HeaderList headers = {{"Authorization", "Bearer " + alice_},
                                  {"Content-Type", "application/json"},
                                  {"Accept", "application/json, text/event-stream"}};
    if (!session.empty()) headers.emplace_back("Mcp-Session-Id", session);
    return test::Fetch(port(1), "POST", "/mcp", headers, message.dump());
  };
  const test::ClientResponse opened =
      mcp(Json{{"jsonrpc", "2.0"},
               {"id", 1},
               {"method", "initialize"},
               {"params", {{"protocolVersion", "2025-03-26"}, {"capabilities", Json::object()}}}},
          "");
  ASSERT_EQ(opened.status, 200) << opened.body;
  const std::string session = opened.Header("Mcp-Session-Id");
  const test::ClientResponse ran =
      mcp(Json{{"jsonrpc", "2.0"},
               {"id", 2},
               {"method", "tools/call"},
               {"params",
                {{"name", "nexus_bash"},
                 {"arguments", {{"sandbox_id", id}, {"command", "echo from-mcp > m && cat m"}}}}}},
          session);
  ASSERT_EQ(ran.status, 200) << ran.body;
  const Json result = Json::parse(ran.body)["result"];
  EXPECT_FALSE(result["isError"]) << result.dump();
  EXPECT_NE(result["content"][0]["text"].get<std::string>().find("from-mcp"), std::string::npos)
      << result.dump();
  EXPECT_EQ(Run(0, id, "cat m")["result"]["stdout"], "from-mcp\n") << "ran in node 0's sandbox";
}

TEST_F(SandboxForwardingTest, DeadNodesSandboxIsStoppedAndItsNameMadeAnew) {
  const Json box = Result(0, "sandbox_get_or_create", Json{{"name", "box"}}, alice_);
  const std::string id = box["sandbox_id"];
  ASSERT_EQ(::kill(node(0).pid(), SIGKILL), 0);
  // Until its heartbeat is stale the node counts as alive, and calls wait for it in vain;
  // then, until it is takeover_after behind the others, as silent (503, try again).
  Json refused;
  ASSERT_TRUE(test::Eventually(
      [&] {
        refused = Run(1, id, "true");
        return refused.value("error", Json::object()).value("code", 0) == -32005;
      },
      std::chrono::seconds(40)))
      << refused.dump();
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("which is gone"), std::string::npos)
      << refused.dump();
  EXPECT_EQ(Result(1, "sandbox_status", Json{{"sandbox_id", id}}, alice_)["status"], "stopped");
  const Json fresh = Result(1, "sandbox_get_or_create", Json{{"name", "box"}}, alice_);
  EXPECT_NE(fresh["sandbox_id"], id);
  EXPECT_EQ(fresh["status"], "active");
  EXPECT_EQ(Run(1, fresh["sandbox_id"], "echo here")["result"]["stdout"], "here\n");
}

}  // namespace
}  // namespace nexus::e2e

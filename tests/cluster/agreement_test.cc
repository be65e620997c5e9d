// What nodes sharing one database must agree on, each change made through one node and
// checked through another with no wait in between: the call that made a change has returned,
// so every node must answer as if it had been made there.
#include <signal.h>

#include "testing/eventually.h"
#include "tests/cluster/cluster_test_fixture.h"
#include "util/base64.h"

namespace nexus::e2e {
namespace {

class NodesAgreeTest : public ClusterTest {
 protected:
  void SetUp() override { StartCluster(2); }
};

TEST_F(NodesAgreeTest, RevokedKeyIsRefusedByEveryNodeOnceTheRevocationReturns) {
  for (int round = 0; round < 5; ++round) {
    const Json key = NewUserKey("alice" + std::to_string(round));
    const std::string token = key["api_key"];
    // Node 1 has just accepted the key (and cached the lookup).
    ASSERT_TRUE(Rpc(1, "list", Json{{"path", "/"}}, token).contains("result"));
    Result(0, "admin_revoke_key", Json{{"key_id", key["key_id"]}});
    EXPECT_EQ(Rpc(1, "list", Json{{"path", "/"}}, token), (Json{{"http_status", 401}}))
        << "round " << round;
  }
}

TEST_F(NodesAgreeTest, AdminRightsTakenOnOneNodeAreGoneOnTheOther) {
  const Json key =
      Result(0, "admin_create_key", Json{{"user_id", "ops"}, {"name", "ops"}, {"is_admin", true}});
  const std::string token = key["api_key"];
  ASSERT_TRUE(Rpc(1, "admin_list_keys", Json::object(), token).contains("result"));
  Result(0, "admin_update_key", Json{{"key_id", key["key_id"]}, {"is_admin", false}});
  EXPECT_EQ(Rpc(1, "admin_list_keys", Json::object(), token)["error"]["code"], -32004);
}

TEST_F(NodesAgreeTest, DeletedAgentIsUnknownToEveryNode) {
  const std::string alice = NewUserKey("alice")["api_key"];
  Result(0, "register_agent", Json{{"agent_id", "alice,bot"}, {"name", "Bot"}}, alice);
  const server::HeaderList as_bot = {{"X-Agent-ID", "alice,bot"}};
  ASSERT_TRUE(Rpc(1, "list", Json{{"path", "/"}}, alice, as_bot).contains("result"));
  Result(0, "delete_agent", Json{{"agent_id", "alice,bot"}}, alice);
  const Json refused = Rpc(1, "list", Json{{"path", "/"}}, alice, as_bot);
  EXPECT_FALSE(refused.contains("result")) << refused.dump();
}

TEST_F(NodesAgreeTest, FilesGrantsSkillsAndSubscriptionsReadTheirWrites) {
  const std::string alice = NewUserKey("alice")["api_key"];
  const std::string bob = NewUserKey("bob")["api_key"];
  const std::string file = "/tenant:default/user:alice/plan.md";
  Result(0, "write", Json{{"path", file}, {"content", "v1"}}, alice);
  EXPECT_EQ(Result(1, "read", Json{{"path", file}}, alice)["data"], Base64Encode("v1"));
  Result(1, "write", Json{{"path", file}, {"content", "v2"}}, alice);
  EXPECT_EQ(Result(0, "read", Json{{"path", file}}, alice)["data"], Base64Encode("v2"));

  EXPECT_EQ(Rpc(1, "read", Json{{"path", file}}, bob)["error"]["code"], -32004);
  const Json grant = Result(
      0, "rebac_create",
      Json{{"subject", {"user", "bob"}}, {"relation", "direct_viewer"}, {"object", {"file", file}}},
      alice);
  EXPECT_EQ(Result(1, "read", Json{{"path", file}}, bob)["data"], Base64Encode("v2"));
  Result(0, "rebac_delete", Json{{"tuple_id", grant}}, alice);
  EXPECT_EQ(Rpc(1, "read", Json{{"path", file}}, bob)["error"]["code"], -32004);

  Result(0, "skills_create", Json{{"name", "shared-skill"}, {"description", "d"}, {"tier", "user"}},
         alice);
  const Json skills = Result(1, "skills_list", Json{{"include_metadata", false}}, alice);
  ASSERT_TRUE(skills.contains("skills")) << skills.dump();
  bool listed = false;
  for (const Json& s : skills["skills"]) {
    listed =
        listed || s == "shared-skill" || (s.is_object() && s.value("name", "") == "shared-skill");
  }
  EXPECT_TRUE(listed) << skills.dump();

  const Json hook =
      Json{{"url", "https://hooks.example.com/nexus"}, {"patterns", {"/workspace/**"}}};
  const test::ClientResponse created =
      test::Fetch(port(0), "POST", "/api/subscriptions",
                  {{"Authorization", std::string("Bearer ") + kClusterAdminKey},
                   {"Content-Type", "application/json"}},
                  hook.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const test::ClientResponse listed_hooks =
      test::Fetch(port(1), "GET", "/api/subscriptions",
                  {{"Authorization", std::string("Bearer ") + kClusterAdminKey}});
  ASSERT_EQ(listed_hooks.status, 200);
  EXPECT_EQ(Json::parse(listed_hooks.body)["subscriptions"].size(), 1u);
}

TEST_F(NodesAgreeTest, NodesShareOneOAuthKeyAndRefuseAnother) {
  // Both nodes took their key from the database; a third one configured with another key
  // would seal tokens the others cannot open.
  std::string failure;
  const std::string config = dirs_[0]->path() + "/other-key.yaml";
  {
    FILE* f = std::fopen(config.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fprintf(f, "oauth:\n  encryption_key: %s\n", Base64Encode(std::string(32, 'k')).c_str());
    std::fclose(f);
  }
  EXPECT_EQ(StartNode({"--config", config}, &failure), -1);
  EXPECT_NE(failure.find("differs from the key the other nodes of this database use"),
            std::string::npos)
      << failure;
}

TEST_F(NodesAgreeTest, SecondNodeWithTheSameIdIsRefused) {
  std::string failure;
  EXPECT_EQ(StartNode({"--node-id", "twin"}, &failure), 2) << failure;
  EXPECT_EQ(StartNode({"--node-id", "twin"}, &failure), -1);
  EXPECT_NE(failure.find("node id 'twin' is in use by a live node"), std::string::npos) << failure;
}

TEST_F(NodesAgreeTest, MetricsCountLiveNodesAndHealthTurnsAwayWhileDraining) {
  EXPECT_TRUE(test::Eventually([&] {
    return test::Fetch(port(0), "GET", "/metrics").body.find("nexus_cluster_live_nodes 2") !=
           std::string::npos;
  }));
  const int draining = StartNode({"--drain-seconds", "30"});
  ASSERT_EQ(draining, 2);
  EXPECT_EQ(test::Fetch(port(draining), "GET", "/health").status, 200);
  ASSERT_EQ(::kill(node(draining).pid(), SIGTERM), 0);
  EXPECT_TRUE(test::Eventually(
      [&] { return test::Fetch(port(draining), "GET", "/health").status == 503; }));
  const test::ClientResponse health = test::Fetch(port(draining), "GET", "/health");
  EXPECT_EQ(Json::parse(health.body)["reason"], "draining");
  EXPECT_TRUE(Rpc(draining, "list", Json{{"path", "/"}}).contains("result"))
      << "a draining node still answers what reaches it";
  EXPECT_TRUE(test::Fetch(port(0), "GET", "/metrics").body.find("nexus_node_ready 1") !=
              std::string::npos);
}

}  // namespace
}  // namespace nexus::e2e

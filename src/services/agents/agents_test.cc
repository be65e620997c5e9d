#include "services/agents/agents.h"

#include <gtest/gtest.h>

#include "services/test_tree_store.h"
#include "testing/test_store.h"

namespace nexus::services {
namespace {

class AgentsTest : public TreeStoreTest {
 protected:
  void SetUp() override {
    TreeStoreTest::SetUp();
    if (!store_.engine) return;
    keys_ = std::make_unique<auth::KeyStore>(*store_.engine);
    agents_ = std::make_unique<AgentRegistry>(*store_.engine, *tree_, *rebac_, *keys_);
  }

  std::unique_ptr<auth::KeyStore> keys_;
  std::unique_ptr<AgentRegistry> agents_;
  const AgentCaller alice_{"default", "alice", false};
  const AgentCaller bob_{"default", "bob", false};
  const AgentCaller admin_{"default", "admin", true};
};

TEST_P(AgentsTest, RegisterWithKeyListGetDelete) {
  NewAgent agent{"alice,bot", "Bot", "helps", R"({"platform":"langgraph"})", true, true};
  auto registered = agents_->Register(alice_, agent);
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  const std::string key = registered->second;
  ASSERT_FALSE(key.empty());
  EXPECT_EQ(registered->first.config_path, "/tenant:default/user:alice/agent/bot/config.yaml");
  auto config = tree_->Read(registered->first.config_path);
  ASSERT_TRUE(config.ok());
  EXPECT_NE(config->content.find("agent_id: \"alice,bot\""), std::string::npos) << config->content;
  EXPECT_EQ(config->content.find(key), std::string::npos)
      << "the raw key is never written to a file";
  auto identity = keys_->Authenticate(key);
  ASSERT_TRUE(identity.ok() && identity->has_value());
  EXPECT_EQ((*identity)->subject_type, "agent");
  EXPECT_EQ((*identity)->subject_id, "alice,bot");
  EXPECT_TRUE((*identity)->inherit_permissions);
  auto write = rebac_->Check("default", {"agent", "alice,bot", ""}, "write",
                             {"file", "/tenant:default/user:alice/agent/bot/notes"});
  ASSERT_TRUE(write.ok());
  EXPECT_TRUE(*write) << "the agent owns its directory";

  auto mine = agents_->List(alice_);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_TRUE((*mine)[0].has_api_key);
  EXPECT_TRUE(agents_->List(bob_)->empty()) << "bob sees only his agents";
  EXPECT_EQ(agents_->List(admin_)->size(), 1u) << "an admin sees the tenant's";
  EXPECT_FALSE(agents_->Get(bob_, "alice,bot")->has_value());

  auto deleted = agents_->Delete(alice_, "alice,bot");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_TRUE(*deleted);
  auto after = keys_->Authenticate(key);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value()) << "the agent's key is revoked";
  EXPECT_FALSE(*tree_->Exists("/tenant:default/user:alice/agent/bot"));
  EXPECT_FALSE(*agents_->Delete(alice_, "alice,bot"));
}

// The agent's key is the owner's oldest, behind a full page of newer keys: it still counts,
// and deleting the agent still revokes it.
TEST_P(AgentsTest, KeyBeyondTheFirstPageOfTheOwnersKeysIsFoundAndRevoked) {
  NewAgent agent{"alice,bot", "Bot", "helps", "{}", true, true};
  auto registered = agents_->Register(alice_, agent);
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  auth::NewKey user_key;
  user_key.user_id = "alice";
  for (int i = 0; i < 1000; ++i) {
    user_key.name = "k" + std::to_string(i);
    ASSERT_TRUE(keys_->CreateKey("default", user_key).ok());
  }
  auto mine = agents_->List(alice_);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_TRUE((*mine)[0].has_api_key);
  ASSERT_TRUE(*agents_->Delete(alice_, "alice,bot"));
  auto after = keys_->Authenticate(registered->second);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value()) << "the agent's key is revoked";
}

TEST_P(AgentsTest, BadRegistrations) {
  EXPECT_EQ(
      agents_->Register(alice_, NewAgent{"bob,bot", "x", "", "", false, false}).status().code(),
      Code::kPermissionDenied);
  for (const char* bad : {"nocomma", ",x", "alice,", "alice,a,b", "alice,a/b"}) {
    EXPECT_EQ(agents_->Register(alice_, NewAgent{bad, "x", "", "", false, false}).status().code(),
              Code::kInvalidArgument)
        << bad;
  }
  ASSERT_TRUE(agents_->Register(alice_, NewAgent{"alice,once", "x", "", "", false, false}).ok());
  EXPECT_EQ(
      agents_->Register(alice_, NewAgent{"alice,once", "x", "", "", false, false}).status().code(),
      Code::kAlreadyExists);
}

TEST_P(AgentsTest, UpdateChangesRecordAndConfig) {
  ASSERT_TRUE(
      agents_->Register(alice_, NewAgent{"alice,bot", "Bot", "old", "", false, false}).ok());
  AgentUpdate update;
  update.description = "new";
  update.metadata_json = R"({"platform":"langgraph"})";
  auto updated = agents_->Update(alice_, "alice,bot", update);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->name, "Bot") << "unset fields keep their value";
  EXPECT_EQ(updated->description, "new");
  EXPECT_EQ((*agents_->Get(alice_, "alice,bot"))->metadata_json, R"({"platform":"langgraph"})");
  const std::string config = tree_->Read(updated->config_path)->content;
  EXPECT_NE(config.find("description: \"new\""), std::string::npos) << config;
  EXPECT_NE(config.find("platform"), std::string::npos) << config;

  EXPECT_EQ(agents_->Update(bob_, "alice,bot", update).status().code(), Code::kNotFound)
      << "another user's agent is invisible";
  EXPECT_TRUE(agents_->Update(admin_, "alice,bot", update).ok()) << "an admin of the tenant may";
  EXPECT_EQ(agents_->Update(alice_, "alice,none", update).status().code(), Code::kNotFound);
  AgentUpdate unnamed;
  unnamed.name = "";
  EXPECT_EQ(agents_->Update(alice_, "alice,bot", unnamed).status().code(), Code::kInvalidArgument);
}

// What X-Agent-ID is checked against: registered agents of the tenant, and no longer one
// deleted, even when it was just looked up and remembered.
TEST_P(AgentsTest, IsRegisteredFollowsRegistrationAndDeletion) {
  const auto registered = [&](const std::string& tenant, const std::string& agent) {
    StatusOr<bool> answer = agents_->IsRegistered(tenant, agent);
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    return answer.ok() && *answer;
  };
  EXPECT_FALSE(registered("default", "alice,bot"));
  ASSERT_TRUE(agents_->Register(alice_, NewAgent{"alice,bot", "Bot", "", "", false, false}).ok());
  EXPECT_TRUE(registered("default", "alice,bot")) << "an unknown id is not remembered";
  EXPECT_TRUE(registered("default", "alice,bot"));
  EXPECT_FALSE(registered("acme", "alice,bot")) << "registered in another tenant only";
  ASSERT_TRUE(*agents_->Delete(alice_, "alice,bot"));
  EXPECT_FALSE(registered("default", "alice,bot"));
}

// A registered agent is remembered: a deletion on another node (here: the row removed behind
// the registry's back) shows once the cluster's notice made the registry forget.
TEST_P(AgentsTest, IsRegisteredRemembersUntilToldToForget) {
  ASSERT_TRUE(agents_->Register(alice_, NewAgent{"alice,bot", "Bot", "", "", false, false}).ok());
  ASSERT_TRUE(*agents_->IsRegistered("default", "alice,bot"));
  ASSERT_TRUE(store_.engine
                  ->Write([](storage::Tx& tx) {
                    return tx.Exec("DELETE FROM agents WHERE agent_id = ?", {"alice,bot"}).status();
                  })
                  .ok());
  EXPECT_TRUE(*agents_->IsRegistered("default", "alice,bot")) << "answered from memory";
  agents_->ForgetAllRegistered();
  EXPECT_FALSE(*agents_->IsRegistered("default", "alice,bot"));
}

INSTANTIATE_TEST_SUITE_P(Engines, AgentsTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services

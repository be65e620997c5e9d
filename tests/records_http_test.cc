// Records over HTTP on both engines: an agent key acting for itself only (no
// inherit_permissions) and its user's records and registrations; Cache-Control of mutations.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/http_test_fixture.h"

namespace nexus::e2e {
namespace {

constexpr char kWs[] = "/tenant:default/user:alice/ws";

class RecordsHttpTest : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    alice_ = NewUserKey("alice");
  }

  // A key of a new agent of alice's.
  std::string AgentKey(const std::string& name, bool inherit) {
    const Json agent = Result("register_agent",
                              {{"agent_id", "alice," + name},
                               {"name", name},
                               {"generate_api_key", true},
                               {"inherit_permissions", inherit}},
                              alice_);
    EXPECT_TRUE(agent.contains("api_key")) << agent.dump();
    return agent.value("api_key", "");
  }

  std::vector<std::string> Contents(const std::string& key) {
    std::vector<std::string> out;
    const Json result = Result("list_memories", Json::object(), key);
    for (const Json& m : result["memories"]) out.push_back(m["content"]);
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string alice_;
};

TEST_P(RecordsHttpTest, AnAgentWithoutInheritanceSeesOnlyWhatItStored) {
  const std::string bot = AgentKey("bot", false);
  const std::string heir = AgentKey("heir", true);
  const std::string secret = Result(
      "store_memory", {{"content", "alice's secret"}, {"scope", "user"}}, alice_)["memory_id"];
  Result("store_memory", {{"content", "team note"}, {"scope", "tenant"}}, alice_);
  Result("store_memory", {{"content", "bot note"}}, bot);

  EXPECT_EQ(Contents(bot), (std::vector<std::string>{"bot note", "team note"}));
  EXPECT_EQ(Contents(heir), (std::vector<std::string>{"alice's secret", "bot note", "team note"}));
  EXPECT_EQ(Contents(alice_), Contents(heir));
  EXPECT_TRUE(Result("retrieve_memory", {{"memory_id", secret}}, bot)["memory"].is_null());
  EXPECT_EQ(Result("delete_memory", {{"memory_id", secret}}, bot)["deleted"], false);
  EXPECT_EQ(Contents(alice_).size(), 3u) << "the secret is still there";

  const Json started = Result("start_trajectory", {{"task_description", "alice's task"}}, alice_);
  const std::string trajectory = started["trajectory_id"];
  EXPECT_TRUE(Result("query_trajectories", Json::object(), bot)["trajectories"].empty());
  EXPECT_EQ(Result("query_trajectories", Json::object(), heir)["trajectories"].size(), 1u);
  EXPECT_EQ(
      ErrorCode("log_trajectory_step",
                {{"trajectory_id", trajectory}, {"step_type", "action"}, {"description", "meddle"}},
                bot),
      -32000);

  Result("register_workspace", {{"path", kWs}, {"name", "alice's"}}, alice_);
  EXPECT_TRUE(Result("list_workspaces", Json::object(), bot).empty());
  EXPECT_EQ(Result("list_workspaces", Json::object(), heir).size(), 1u);
  EXPECT_EQ(Result("list_workspaces", Json::object(), alice_).size(), 1u);
  EXPECT_EQ(Result("list_workspaces", Json::object(), NewUserKey("carol", "other")).size(), 0u);
}

TEST_P(RecordsHttpTest, MutationsAreNotStored) {
  const auto cache_control = [&](const std::string& method, const Json& params) {
    const test::ClientResponse r =
        Post(method, Json{{"jsonrpc", "2.0"}, {"id", 1}, {"params", params}}.dump(), Auth(alice_));
    EXPECT_EQ(r.status, 200) << method;
    EXPECT_EQ(Json::parse(r.body).count("error"), 0u) << method << ": " << r.body;
    return r.Header("Cache-Control");
  };
  const Json skill = {{"name", "tidy"}, {"description", "Tidies"}, {"tier", "personal"}};
  EXPECT_EQ(cache_control("skills_create", skill), "no-store");
  EXPECT_EQ(cache_control("skills_fork", {{"source_name", "tidy"}, {"target_name", "tidier"}}),
            "no-store");
  EXPECT_EQ(cache_control("register_workspace", {{"path", kWs}}), "no-store");
  EXPECT_EQ(cache_control("workspace_snapshot", {{"workspace_path", kWs}}), "no-store");
  EXPECT_EQ(cache_control("workspace_restore", {{"workspace_path", kWs}, {"snapshot_number", 1}}),
            "no-store");
  EXPECT_EQ(cache_control("unregister_workspace", {{"path", kWs}}), "no-store");
  EXPECT_EQ(cache_control("skills_list", Json::object()), "private, no-cache") << "a read";
}

NEXUS_INSTANTIATE_ENGINES(RecordsHttpTest);

}  // namespace
}  // namespace nexus::e2e

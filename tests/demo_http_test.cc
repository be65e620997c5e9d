// `nexus serve --demo` provisions the reference demo (spec/domain.md §6) inside the server,
// once: the agents, the workspace, the six skills and UntrustedAgent's one grant.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/http_test_fixture.h"

namespace nexus::e2e {
namespace {

constexpr char kSkillDir[] = "/tenant:default/user:admin/skill/";

class DemoHttpTest : public HttpTest {
 protected:
  std::vector<std::string> ServeArgs() const override { return {"--demo"}; }

  // The key the banner shows once for admin,UntrustedAgent.
  std::string UntrustedKey() const {
    std::smatch m;
    const std::string& out = server_->output();
    return std::regex_search(out, m, std::regex("UntrustedAgent API key \\(shown once\\): (\\S+)"))
               ? m[1].str()
               : "";
  }

  void ExpectProvisioned() {
    std::set<std::string> agents;
    for (const Json& a : Result("list_agents", Json::object())) agents.insert(a["agent_id"]);
    EXPECT_EQ(agents, (std::set<std::string>{"admin,ImpersonatedUser", "admin,UntrustedAgent"}));
    const Json workspaces = Result("list_workspaces", Json::object());
    ASSERT_EQ(workspaces.size(), 1u) << workspaces.dump();
    EXPECT_EQ(workspaces[0]["path"], "/tenant:default/user:admin/workspace/my-workspace");
    EXPECT_EQ(workspaces[0]["name"], "my workspace");
    const Json skills = Result("skills_list", {{"include_metadata", false}});
    EXPECT_EQ(skills["count"], 6);
    EXPECT_EQ(skills["skills"], (Json{"nexus-memory", "nexus-paths", "nexus-permissions",
                                      "nexus-sandboxes", "nexus-versions", "skill-authoring"}));
  }
};

TEST_P(DemoHttpTest, ProvisionsAgentsWorkspaceAndSkills) {
  ExpectProvisioned();
  EXPECT_TRUE(
      Result("read", {{"path", "/tenant:default/user:admin/workspace/my-workspace/README.md"}})
          .contains("data"));
  const Json info = Result("skills_info", {{"skill_name", "nexus-versions"}});
  EXPECT_EQ(info["resolved_dependencies"], (Json{"nexus-paths", "nexus-versions"}));
  const Json twin = Result("get_agent", {{"agent_id", "admin,ImpersonatedUser"}});
  EXPECT_EQ(twin["has_api_key"], false);
  EXPECT_EQ(twin["metadata"]["platform"], "langgraph");
}

TEST_P(DemoHttpTest, UntrustedAgentReadsOnlyTheSharedSkill) {
  const std::string key = UntrustedKey();
  ASSERT_FALSE(key.empty()) << server_->output();
  EXPECT_EQ(ErrorCode("read", {{"path", std::string(kSkillDir) + "skill-authoring/SKILL.md"}}, key),
            0);
  EXPECT_EQ(ErrorCode("read", {{"path", std::string(kSkillDir) + "nexus-paths/SKILL.md"}}, key),
            -32004);
  EXPECT_EQ(Result("skills_list", {{"include_metadata", false}}, key)["skills"],
            (Json{"skill-authoring"}));
  EXPECT_EQ(
      ErrorCode("write",
                {{"path", std::string(kSkillDir) + "skill-authoring/x.md"}, {"content", "x"}}, key),
      -32004);
}

TEST_P(DemoHttpTest, RestartingWithDemoChangesNothing) {
  const std::string skill_md = std::string(kSkillDir) + "nexus-paths/SKILL.md";
  ASSERT_EQ(server_->Stop(), 0);
  Start(ServeArgs());
  ExpectProvisioned();
  EXPECT_EQ(Result("list_versions", {{"path", skill_md}}).size(), 1u) << "not written again";
  EXPECT_TRUE(UntrustedKey().empty()) << "the agent and its key already exist";
}

NEXUS_INSTANTIATE_ENGINES(DemoHttpTest);

}  // namespace
}  // namespace nexus::e2e

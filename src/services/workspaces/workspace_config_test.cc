#include "services/workspaces/workspace_config.h"

#include <gtest/gtest.h>

namespace nexus::services {
namespace {

TEST(WorkspaceConfigTest, ParsesWorkspacesAndMemories) {
  auto entries = ParseWorkspaceConfig(R"(
workspaces:
  - path: /workspace/main
    name: main
    description: the main one
    metadata: {team: red, size: 3}
memories:
  - path: /memory/notes
)");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].kind, DirKind::kWorkspace);
  EXPECT_EQ((*entries)[0].path, "/workspace/main");
  EXPECT_EQ((*entries)[0].name, "main");
  EXPECT_EQ((*entries)[0].metadata_json, R"({"size":"3","team":"red"})");
  EXPECT_EQ((*entries)[1].kind, DirKind::kMemory);
  EXPECT_FALSE((*entries)[1].name.has_value());
}

TEST(WorkspaceConfigTest, RefusesAnythingElse) {
  for (const char* bad :
       {"- a", "workspaces: 3", "workspaces: [3]", "agents: []", "workspaces: [{name: x}]",
        "workspaces: [{path: /a, owner: me}]", "workspaces: [{path: [a]}]",
        "workspaces: [{path: /a, metadata: {a: {b: c}}}]", "workspaces: [{path: /a", "\xff: 1"}) {
    auto entries = ParseWorkspaceConfig(bad);
    EXPECT_EQ(entries.status().code(), Code::kValidation) << bad;
  }
  EXPECT_EQ(ParseWorkspaceConfig("workspaces: [{path: /a, owner: me}]").status().message(),
            "workspace config: workspaces[0] has unknown key 'owner'");
  EXPECT_EQ(ParseWorkspaceConfig(std::string(kMaxWorkspaceConfigBytes + 1, ' ')).status().code(),
            Code::kValidation);
}

TEST(WorkspaceConfigTest, AliasesCannotMultiplyEntries) {
  std::string yaml = "workspaces: &w\n";
  for (int i = 0; i < 600; ++i) yaml += "  - {path: /w" + std::to_string(i) + "}\n";
  yaml += "memories: *w\n";
  EXPECT_EQ(ParseWorkspaceConfig(yaml).status().message(),
            "workspace config: more than 1000 entries");
}

}  // namespace
}  // namespace nexus::services

#include <gtest/gtest.h>

#include "rpc/mcp/tools.h"

namespace nexus::rpc::mcp {
namespace {

const Json* FindTool(const Json& list, const std::string& name) {
  for (const Json& tool : list["tools"]) {
    if (tool["name"] == name) return &tool;
  }
  return nullptr;
}

TEST(ToolSetTest, SchemasFollowTheParameters) {
  const Json list = ToolSet().List();
  EXPECT_EQ(list["tools"].size(), 20u);
  const Json* list_files = FindTool(list, "nexus_list_files");
  ASSERT_NE(list_files, nullptr);
  const Json& input = (*list_files)["inputSchema"];
  EXPECT_EQ(input["type"], "object");
  EXPECT_EQ(input["additionalProperties"], false);
  EXPECT_EQ(input["properties"]["limit"]["type"], "integer");
  EXPECT_EQ(input["properties"]["limit"]["default"], 50);
  EXPECT_EQ(input["properties"]["recursive"]["default"], false);
  EXPECT_FALSE(input.contains("required"));
  EXPECT_EQ((*list_files)["annotations"]["readOnlyHint"], true);
  EXPECT_EQ((*list_files)["outputSchema"]["required"].size(), 6u);

  const Json* store = FindTool(list, "nexus_store_memory");
  ASSERT_NE(store, nullptr);
  EXPECT_EQ((*store)["inputSchema"]["required"], Json::array({"content"}));
  EXPECT_EQ((*store)["inputSchema"]["properties"]["memory_type"]["type"],
            Json::array({"string", "null"}));
  EXPECT_FALSE(store->contains("outputSchema")) << "a text result declares none";
}

TEST(ToolSetTest, PagesSayWhereTheNextOneStarts) {
  ToolOutput page = Paged(Json::array({"/a", "/b"}), std::nullopt, 4, true, "json");
  EXPECT_EQ(page.structured["next_offset"], 6);
  EXPECT_EQ(page.structured["total"], nullptr);
  EXPECT_EQ(Json::parse(page.text), page.structured);
  page = Paged(Json::array({"/a"}), 5, 4, false, "markdown");
  EXPECT_EQ(page.text, "Showing 1 item(s) from offset 4 of 5.\n\n- /a\n");
  EXPECT_TRUE(CheckPage(1000, 0).ok());
  EXPECT_FALSE(CheckPage(0, 0).ok());
  EXPECT_FALSE(CheckPage(1001, 0).ok());
  EXPECT_FALSE(CheckPage(10, -1).ok());
}

}  // namespace
}  // namespace nexus::rpc::mcp

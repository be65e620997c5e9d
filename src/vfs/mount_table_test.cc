// The mount table: no nesting, longest-prefix resolution.
#include "vfs/mount_table.h"

#include <gtest/gtest.h>

namespace nexus::vfs {
namespace {

Mount At(const std::string& point, int64_t priority = 0) {
  Mount m;
  m.mount_point = point;
  m.backend_type = "local";
  m.priority = priority;
  return m;
}

TEST(MountTableTest, MountsNeverNest) {
  MountTable table;
  ASSERT_TRUE(table.Add(At("/t/a/b")).ok());
  EXPECT_EQ(table.Add(At("/t/a/b")).code(), Code::kValidation);
  EXPECT_EQ(table.Add(At("/t/a/b/c")).code(), Code::kValidation);
  EXPECT_EQ(table.Add(At("/t/a")).code(), Code::kValidation);
  EXPECT_EQ(table.Add(At("/")).code(), Code::kValidation);
  EXPECT_TRUE(table.Add(At("/t/a/bc")).ok()) << "a sibling with a common prefix is fine";
  EXPECT_EQ(table.All().size(), 2u);
}

TEST(MountTableTest, ResolvesToTheMountAndTheRelativePath) {
  MountTable table;
  ASSERT_TRUE(table.Add(At("/t/a/b")).ok());
  ASSERT_TRUE(table.Add(At("/t/a/bc", 5)).ok());
  auto at = table.Resolve("/t/a/b/x/y.txt");
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->mount->mount_point, "/t/a/b");
  EXPECT_EQ(at->relative, "x/y.txt");
  at = table.Resolve("/t/a/b");
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->relative, "");
  EXPECT_FALSE(table.Resolve("/t/a").has_value());
  EXPECT_FALSE(table.Resolve("/t/a/bx").has_value());
  EXPECT_EQ(table.All().front()->mount_point, "/t/a/bc") << "higher priority routes first";
  EXPECT_EQ(table.Below("/t").size(), 2u);
  EXPECT_TRUE(table.Below("/t/a/b").empty()) << "strictly below";
  ASSERT_NE(table.Remove("/t/a/b"), nullptr);
  EXPECT_EQ(table.Remove("/t/a/b"), nullptr);
  EXPECT_FALSE(table.Resolve("/t/a/b/x").has_value());
}

// Another node's mounts are replaced as a whole; this node's stay, and one of theirs that
// overlaps one of this node's (two nodes raced to mount it) is left out.
TEST(MountTableTest, OtherNodesMountsAreReplacedAsAWhole) {
  MountTable table;
  ASSERT_TRUE(table.Add(At("/t/here")).ok());
  const auto remote = [](const std::string& point, const std::string& node) {
    Mount m = At(point);
    m.node_id = node;
    return m;
  };
  table.ReplaceRemote({remote("/t/there", "b"), remote("/t/here/inner", "b")});
  ASSERT_EQ(table.All().size(), 2u);
  auto at = table.Resolve("/t/there/x");
  ASSERT_TRUE(at.has_value());
  EXPECT_FALSE(at->mount->served_here());
  EXPECT_EQ(at->mount->node_id, "b");
  EXPECT_TRUE(table.Resolve("/t/here/inner")->mount->served_here());
  const Status nested = table.Add(At("/t/there/y"));
  EXPECT_EQ(nested.code(), Code::kValidation);
  EXPECT_NE(nested.message().find("served by node b"), std::string::npos) << nested.ToString();

  table.ReplaceRemote({remote("/t/elsewhere", "c")});
  EXPECT_FALSE(table.Resolve("/t/there/x").has_value());
  EXPECT_EQ(table.Resolve("/t/elsewhere")->mount->node_id, "c");
  EXPECT_TRUE(table.Resolve("/t/here")->mount->served_here());
}

}  // namespace
}  // namespace nexus::vfs

#include "cli/commands/transfer.h"

#include <gtest/gtest.h>

namespace nexus::cli {
namespace {

Excludes Compiled(const std::vector<std::string>& patterns) {
  StatusOr<Excludes> excludes = Excludes::Compile(patterns);
  EXPECT_TRUE(excludes.ok()) << excludes.status().ToString();
  return excludes.ok() ? *excludes : Excludes();
}

TEST(Excludes, NamesMatchAtAnyDepth) {
  const Excludes e = Compiled({"*.o", "node_modules"});
  EXPECT_TRUE(e.Excluded("main.o"));
  EXPECT_TRUE(e.Excluded("src/lib/util.o"));
  EXPECT_TRUE(e.Excluded("node_modules"));
  EXPECT_TRUE(e.Excluded("web/node_modules/react/index.js"));
  EXPECT_FALSE(e.Excluded("main.c"));
  EXPECT_FALSE(e.Excluded("src/node_modules_notes.md"));
}

TEST(Excludes, PathsMatchFromTheRoot) {
  const Excludes e = Compiled({"build/**", "docs/*.pdf"});
  EXPECT_TRUE(e.Excluded("build/x/y.o"));
  EXPECT_FALSE(e.Excluded("src/build/y.o"));
  EXPECT_TRUE(e.Excluded("docs/a.pdf"));
  EXPECT_FALSE(e.Excluded("docs/sub/a.pdf"));
}

TEST(Excludes, NothingIsExcludedByDefault) {
  EXPECT_FALSE(Compiled({}).Excluded("anything/at/all"));
}

TEST(Excludes, ABadPatternIsRefused) {
  StatusOr<Excludes> e = Excludes::Compile({"[unclosed"});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Code::kInvalidPattern);
}

}  // namespace
}  // namespace nexus::cli

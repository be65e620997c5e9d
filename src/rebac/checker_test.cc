// Evaluation in memory: inheritance, usersets, cycles, memoisation, the depth limit and
// explanations, without a database.
#include "rebac/checker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rebac/expander.h"
#include "rebac/graph.h"
#include "rebac/namespace_set.h"

namespace nexus::rebac {
namespace {

constexpr int64_t kNow = 1'000'000;

class CheckerTest : public ::testing::Test {
 protected:
  void Add(const ObjectRef& object, const std::string& relation, const SubjectRef& subject,
           std::optional<int64_t> expires_at = std::nullopt) {
    Tuple t;
    t.object = object;
    t.relation = relation;
    t.subject = subject;
    t.expires_at = expires_at;
    graph_.Put(t);
  }

  EvalContext Ctx(int max_depth = kDefaultMaxDepth) {
    return EvalContext{graph_, namespaces_, kNow, max_depth};
  }

  StatusOr<bool> Check(const SubjectRef& subject, const std::string& permission,
                       const ObjectRef& object, int max_depth = kDefaultMaxDepth) {
    const EvalContext ctx = Ctx(max_depth);
    return Checker(ctx, subject).Check(permission, object);
  }

  bool Allowed(const SubjectRef& subject, const std::string& permission, const ObjectRef& object) {
    auto r = Check(subject, permission, object);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  }

  Graph graph_;
  NamespaceSet namespaces_;
};

const SubjectRef kAlice{"user", "alice"};
const SubjectRef kBob{"user", "bob"};

ObjectRef File(const std::string& path) { return {"file", path}; }
ObjectRef Group(const std::string& id) { return {"group", id}; }
SubjectRef Members(const std::string& group) { return {"group", group, "member"}; }

TEST_F(CheckerTest, OwnerOfAncestorReadsWritesAndExecutesBelow) {
  Add(File("/a"), "direct_owner", kAlice);
  for (const char* perm : {"read", "write", "execute"}) {
    EXPECT_TRUE(Allowed(kAlice, perm, File("/a/b/c/d/e/f"))) << perm;
    EXPECT_FALSE(Allowed(kBob, perm, File("/a/b/c/d/e/f"))) << perm;
  }
  EXPECT_FALSE(Allowed(kAlice, "read", File("/ab")));  // a sibling, not a child
}

TEST_F(CheckerTest, ViewerOfAncestorOnlyReads) {
  Add(File("/a/b"), "direct_viewer", kBob);
  EXPECT_TRUE(Allowed(kBob, "read", File("/a/b/c")));
  EXPECT_FALSE(Allowed(kBob, "write", File("/a/b/c")));
  EXPECT_FALSE(Allowed(kBob, "read", File("/a")));
}

TEST_F(CheckerTest, GroupsOfGroupsGrantThroughUsersets) {
  Add(Group("eng"), "member", kAlice);
  Add(Group("all"), "member", Members("eng"));
  Add(File("/docs"), "direct_editor", Members("all"));
  EXPECT_TRUE(Allowed(kAlice, "write", File("/docs/x")));
  EXPECT_FALSE(Allowed(kBob, "write", File("/docs/x")));
  // group_owner: the members of a group that is itself a direct owner.
  Add(File("/ops"), "direct_owner", SubjectRef{"group", "eng"});
  EXPECT_TRUE(Allowed(kAlice, "execute", File("/ops/run")));
}

TEST_F(CheckerTest, WildcardGrantsEveryone) {
  Add(File("/pub"), "direct_viewer", SubjectRef::Wildcard());
  EXPECT_TRUE(Allowed(kBob, "read", File("/pub/x")));
  EXPECT_TRUE(Allowed(SubjectRef{"agent", "a1"}, "read", File("/pub")));
  EXPECT_FALSE(Allowed(kBob, "write", File("/pub")));
}

TEST_F(CheckerTest, ExpiredTuplesAreIgnored) {
  Add(File("/a"), "direct_viewer", kAlice, kNow - 1);
  Add(File("/b"), "direct_viewer", kAlice, kNow);  // expires_at is inclusive
  EXPECT_FALSE(Allowed(kAlice, "read", File("/a")));
  EXPECT_TRUE(Allowed(kAlice, "read", File("/b")));
  EXPECT_EQ(graph_.NextExpiry(kNow), kNow + 1);
}

TEST_F(CheckerTest, CyclesTerminate) {
  Add(Group("a"), "member", Members("b"));
  Add(Group("b"), "member", Members("a"));
  EXPECT_FALSE(Allowed(kAlice, "read", Group("a")));
  Add(Group("b"), "member", kAlice);
  EXPECT_TRUE(Allowed(kAlice, "read", Group("a")));
  EXPECT_TRUE(Allowed(kAlice, "read", Group("b")));
}

// A false computed while a cycle was cut above it must not be memoised: here r2 is first
// reached from r1 (r2 -> r1 is cut), and holds once r1 is known to hold.
TEST_F(CheckerTest, MemoDoesNotKeepFalsesOfCutCycles) {
  namespaces_.SetCustom("node", *ParseNamespaceConfig(R"({"relations": {
      "r1": {"union": ["r2", "r3"]}, "r2": {"union": ["r1"]}, "r3": {}}})"));
  Add({"node", "n"}, "r3", kAlice);
  const EvalContext ctx = Ctx();
  Checker checker(ctx, kAlice);
  ASSERT_TRUE(*checker.Check("r1", {"node", "n"}));
  EXPECT_TRUE(*checker.Check("r2", {"node", "n"}));
  Expander expander(ctx);
  auto subjects = expander.Expand("r1", {"node", "n"});
  ASSERT_TRUE(subjects.ok());
  EXPECT_EQ(*subjects, std::vector<SubjectRef>{kAlice});
  subjects = expander.Expand("r2", {"node", "n"});
  EXPECT_EQ(*subjects, std::vector<SubjectRef>{kAlice});
}

TEST_F(CheckerTest, DepthLimitIsAClearError) {
  // group g0 <- g1 <- ... <- g60: alice is a member of g0 only.
  Add(Group("g0"), "member", kAlice);
  for (int i = 1; i <= 60; ++i) {
    Add(Group("g" + std::to_string(i)), "member", Members("g" + std::to_string(i - 1)));
  }
  EXPECT_TRUE(Allowed(kAlice, "member", Group("g50")));  // 50 hops: at the limit
  auto r = Check(kAlice, "member", Group("g60"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_NE(r.status().message().find("permission check exceeded depth limit 50 at group:g"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("#member"), std::string::npos);

  const EvalContext ctx = Ctx();
  auto expanded = Expander(ctx).Expand("member", Group("g60"));
  ASSERT_FALSE(expanded.ok());
  EXPECT_NE(expanded.status().message().find("exceeded depth limit 50"), std::string::npos);
}

TEST_F(CheckerTest, DeepPathsHitTheLimitInsteadOfTheStack) {
  Add(File("/d"), "direct_owner", kAlice);
  std::string path = "/d";
  for (int i = 0; i < 50; ++i) path += "/d";  // 50 parent hops up to /d
  EXPECT_TRUE(Allowed(kAlice, "read", File(path)));
  for (int i = 0; i < 2000; ++i) path += "/d";
  auto r = Check(kAlice, "read", File(path));
  EXPECT_EQ(r.status().code(), Code::kInternal) << r.status().ToString();
}

TEST_F(CheckerTest, UnknownTypesAndPermissionsAreErrors) {
  auto r = Check(kAlice, "read", {"spaceship", "x"});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'spaceship'"), std::string::npos);
  r = Check(kAlice, "fly", File("/a"));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'fly'"), std::string::npos);
}

TEST_F(CheckerTest, ExplainGivesTheDerivation) {
  Add(File("/a"), "direct_owner", kAlice);
  const EvalContext ctx = Ctx();
  auto e = Checker(ctx, kAlice, true).Explain("read", File("/a/b"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE(e->allowed);
  EXPECT_EQ(e->path, (std::vector<std::string>{"file:/a#direct_owner@user:alice",
                                               "file:/a/b#parent@file:/a"}));
  EXPECT_NE(e->reason.find("owner"), std::string::npos) << e->reason;

  Add(Group("eng"), "member", kBob);
  Add(File("/x"), "direct_viewer", Members("eng"));
  e = Checker(ctx, kBob, true).Explain("read", File("/x/y"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->path, (std::vector<std::string>{"group:eng#member@user:bob",
                                               "file:/x#direct_viewer@group:eng#member",
                                               "file:/x/y#parent@file:/x"}));

  e = Checker(ctx, kBob, true).Explain("write", File("/x/y"));
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->allowed);
  EXPECT_TRUE(e->path.empty());
  EXPECT_NE(e->reason.find("editor, owner"), std::string::npos) << e->reason;
}

TEST_F(CheckerTest, ExpandFollowsParentsAndUsersets) {
  Add(File("/a"), "direct_owner", kAlice);
  Add(Group("eng"), "member", kBob);
  Add(File("/a/b"), "direct_viewer", Members("eng"));
  Add(File("/a/b"), "direct_viewer", SubjectRef{"agent", "a1"}, kNow - 1);  // expired
  const EvalContext ctx = Ctx();
  auto subjects = Expander(ctx).Expand("read", File("/a/b/c"));
  ASSERT_TRUE(subjects.ok());
  EXPECT_EQ(*subjects, (std::vector<SubjectRef>{kAlice, kBob}));
  subjects = Expander(ctx).Expand("parent", File("/a/b/c"));
  EXPECT_EQ(*subjects, (std::vector<SubjectRef>{{"file", "/a/b"}}));
}

TEST(GraphTest, PutReplacesAndRemoveForgets) {
  Graph graph;
  Tuple t;
  t.object = {"group", "eng"};
  t.relation = "member";
  t.subject = {"user", "alice"};
  t.expires_at = 10;
  graph.Put(t);
  t.expires_at = 20;
  graph.Put(t);
  EXPECT_EQ(graph.size(), 1u);
  EXPECT_EQ(graph.NextExpiry(0), 21);
  graph.Remove(t);
  EXPECT_EQ(graph.size(), 0u);
  EXPECT_EQ(graph.NextExpiry(0), kNever);
  EXPECT_EQ(graph.Find("group", "eng", "member"), nullptr);
}

}  // namespace
}  // namespace nexus::rebac

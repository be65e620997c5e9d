// The isolation a Session gives every front end, on a real store and without JSON: tenancy,
// ReBAC grants, listings that hide what the caller may not see, and paths shown in the
// caller's view.
#include "session/session.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "rebac/rebac.h"
#include "services/test_identities.h"
#include "services/test_tree_store.h"
#include "testing/test_store.h"
#include "vfs/path_tree.h"

namespace nexus::session {
namespace {

std::vector<std::string> PathsOf(const std::vector<vfs::FileInfo>& entries) {
  std::vector<std::string> out;
  for (const vfs::FileInfo& e : entries) out.push_back(e.path);
  return out;
}

class SessionTest : public services::TreeStoreTest {
 protected:
  void SetUp() override {
    TreeStoreTest::SetUp();
    if (!store_.engine) return;
    services_.engine = store_.engine.get();
    services_.tree = tree_.get();
    services_.rebac = rebac_.get();
  }

  Session As(const auth::Identity& who) const { return Session(services_, who); }

  // Grants `who` `relation` on the stored path `path` of tenant "default".
  void Grant(const auth::Identity& who, const std::string& relation, const std::string& path) {
    ASSERT_TRUE(
        rebac_
            ->WriteTuple(
                {"default", {"user", who.user_id, ""}, relation, {"file", path}, {}, {}, "", ""})
            .ok());
  }

  void WriteAsAdmin(const std::string& path, const std::string& content) {
    ASSERT_TRUE(As(admin_).Write(path, content).ok()) << path;
  }

  Services services_;
  const auth::Identity admin_ = services::test_ids::Admin("default");
  const auth::Identity alice_ = services::test_ids::User("alice");
  const auth::Identity acme_admin_ = services::test_ids::Admin("acme");
};

TEST_P(SessionTest, AnotherTenantsPathIsRefusedOrNotThere) {
  WriteAsAdmin("/workspace/secret.txt", "s");
  const Session acme = As(acme_admin_);
  EXPECT_EQ(acme.Read("/tenant:default/workspace/secret.txt").status().code(),
            Code::kPermissionDenied);
  EXPECT_EQ(acme.Write("/tenant:default/workspace/secret.txt", "x").status().code(),
            Code::kPermissionDenied);
  EXPECT_EQ(acme.Delete("/tenant:default/workspace/secret.txt").code(), Code::kPermissionDenied);
  EXPECT_FALSE(*acme.Exists("/tenant:default/workspace/secret.txt"));
  // The legacy form names the caller's own tenant, where there is nothing.
  EXPECT_EQ(acme.Read("/workspace/secret.txt").status().code(), Code::kNotFound);
  ASSERT_TRUE(acme.Write("/workspace/own.txt", "o").ok());
  ListRequest everything;
  everything.recursive = true;
  const StatusOr<Listing> root = acme.List("/", everything);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  for (const std::string& path : PathsOf(root->entries))
    EXPECT_EQ(path.find("tenant:default"), std::string::npos) << path;
  const StatusOr<std::vector<SearchHit>> hits = acme.Search("s", "/", 100);
  ASSERT_TRUE(hits.ok());
  for (const SearchHit& h : *hits) EXPECT_EQ(h.path.find("secret"), std::string::npos);
  EXPECT_EQ(As(admin_).Read("/workspace/secret.txt").value().content, "s") << "untouched";
}

TEST_P(SessionTest, NonAdminWithoutGrantIsDeniedReadAndWrite) {
  WriteAsAdmin("/workspace/doc.txt", "d");
  const Session alice = As(alice_);
  EXPECT_EQ(alice.Read("/workspace/doc.txt").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(alice.Stat("/workspace/doc.txt").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(alice.Write("/workspace/doc.txt", "x").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(alice.Write("/workspace/new.txt", "x").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(alice.Rename("/workspace/doc.txt", "/workspace/b.txt").code(), Code::kPermissionDenied);
  EXPECT_FALSE(*alice.Exists("/workspace/doc.txt")) << "existence is not disclosed";
  EXPECT_EQ(alice.List("/workspace", {}).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(As(admin_).Read("/workspace/doc.txt").value().content, "d");
}

TEST_P(SessionTest, ViewerGrantAllowsReadNotWrite) {
  WriteAsAdmin("/workspace/doc.txt", "d");
  Grant(alice_, "direct_viewer", "/tenant:default/workspace/doc.txt");
  const Session alice = As(alice_);
  const StatusOr<vfs::FileContent> read = alice.Read("/workspace/doc.txt");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->content, "d");
  EXPECT_EQ(alice.Write("/workspace/doc.txt", "x").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(alice.Append("/workspace/doc.txt", "x").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(alice.Delete("/workspace/doc.txt").code(), Code::kPermissionDenied);
  EXPECT_EQ(alice.Copy("/workspace/doc.txt", "/workspace/copy.txt").code(), Code::kPermissionDenied)
      << "reading the source is not writing the target";
  EXPECT_EQ(As(admin_).Read("/workspace/doc.txt").value().content, "d");
}

TEST_P(SessionTest, ListingHidesWhatTheCallerMayNotSeeWithoutShorteningAPage) {
  for (int i = 0; i < 10; ++i) WriteAsAdmin("/workspace/d/f" + std::to_string(i), "x");
  for (int i = 1; i < 10; i += 2)
    Grant(alice_, "direct_viewer", "/tenant:default/workspace/d/f" + std::to_string(i));
  const Session alice = As(alice_);
  std::vector<std::string> seen;
  ListRequest request;
  request.limit = 2;
  for (bool more = true; more;) {
    const StatusOr<Listing> page = alice.List("/workspace/d", request);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_FALSE(page->entries.empty());
    more = page->has_more;
    if (more) {
      EXPECT_EQ(page->entries.size(), 2u) << "a full page while more follow";
    }
    for (const std::string& p : PathsOf(page->entries)) seen.push_back(p);
    request.cursor = seen.back();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"/workspace/d/f1", "/workspace/d/f3", "/workspace/d/f5",
                                            "/workspace/d/f7", "/workspace/d/f9"}));
  const StatusOr<std::vector<std::string>> globbed = alice.Glob("f*", "/workspace/d");
  ASSERT_TRUE(globbed.ok());
  EXPECT_EQ(globbed->size(), 5u);
  vfs::GrepOptions options;
  options.max_results = 2;
  const StatusOr<std::vector<vfs::GrepMatch>> grepped = alice.Grep("x", "/workspace/d", options);
  ASSERT_TRUE(grepped.ok()) << grepped.status().ToString();
  ASSERT_EQ(grepped->size(), 2u) << "unreadable files take no place in max_results";
  EXPECT_EQ((*grepped)[0].path, "/workspace/d/f1");
}

TEST_P(SessionTest, TheAdminSeesAll) {
  for (int i = 0; i < 10; ++i) WriteAsAdmin("/workspace/d/f" + std::to_string(i), "x");
  const StatusOr<Listing> all = As(admin_).List("/workspace/d", {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->entries.size(), 10u);
  EXPECT_FALSE(all->has_more);
  EXPECT_EQ(As(admin_).Glob("/workspace/d/*", "/").value().size(), 10u);
}

TEST_P(SessionTest, PathsComeBackInTheCallersView) {
  const Session admin = As(admin_);
  const StatusOr<vfs::FileInfo> written = admin.Write("/workspace/x.txt", "needle");
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(written->path, "/workspace/x.txt");
  EXPECT_EQ(admin.Stat("/tenant:default/workspace/x.txt").value().path,
            "/tenant:default/workspace/x.txt")
      << "the full form stays full";
  EXPECT_EQ(admin.Read("/workspace/x.txt").value().info.path, "/workspace/x.txt");
  EXPECT_EQ(admin.Glob("*.txt", "/workspace").value(),
            (std::vector<std::string>{"/workspace/x.txt"}));
  EXPECT_EQ(admin.Grep("needle", "/workspace", {}).value().at(0).path, "/workspace/x.txt");
  const std::vector<std::string> root = PathsOf(admin.List("/", {}).value().entries);
  EXPECT_NE(std::find(root.begin(), root.end(), "/workspace"), root.end())
      << "the root shows the tenant's namespaces as its own";
  const std::vector<SearchHit> hits = admin.Search("needle", "/workspace", 10).value();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].path, "/workspace/x.txt");
  EXPECT_TRUE(hits[0].in_content);
}

INSTANTIATE_TEST_SUITE_P(Engines, SessionTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::session

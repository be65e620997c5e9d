// The router: mounted paths go to their backend, everything else to the path tree.
#include "vfs/router.h"

#include <gtest/gtest.h>

#include "testing/test_store.h"
#include "util/file.h"

namespace nexus::vfs {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(test::EngineKind::kSqlite);
    tree_ = std::make_unique<PathTree>(*store_.engine, *store_.blobs);
    Mount rw;
    rw.mount_point = "/t/data";
    rw.backend_type = "local";
    rw.owner = "alice";
    rw.backend = std::move(LocalBackend::Open(rw_dir_.path(), rw.mount_point)).value();
    ASSERT_TRUE(mounts_.Add(std::move(rw)).ok());
    Mount ro;
    ro.mount_point = "/t/ro";
    ro.backend_type = "local";
    ro.readonly = true;
    ro.backend = std::move(LocalBackend::Open(ro_dir_.path(), ro.mount_point)).value();
    ASSERT_TRUE(mounts_.Add(std::move(ro)).ok());
    ASSERT_TRUE(tree_->Mkdir(actor_, "/t/data", true, true).ok());
    ASSERT_TRUE(tree_->Mkdir(actor_, "/t/ro", true, true).ok());
  }

  test::TestStore store_;
  std::unique_ptr<PathTree> tree_;
  test::TempDir rw_dir_{"nexus-rw"};
  test::TempDir ro_dir_{"nexus-ro"};
  MountTable mounts_;
  Actor actor_{"alice"};
  Router router() { return Router(*tree_, &mounts_); }
};

TEST_F(RouterTest, MountedPathsGoToTheBackend) {
  auto info = router().Write(actor_, "/t/data/x/a.txt", "A");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->path, "/t/data/x/a.txt");
  EXPECT_EQ(info->owner, "alice");
  EXPECT_EQ(*ReadFile(rw_dir_.path() + "/x/a.txt"), "A");
  EXPECT_FALSE(*tree_->Exists("/t/data/x/a.txt")) << "nothing lands in the tree";
  EXPECT_EQ(router().Read("/t/data/x/a.txt")->content, "A");
  EXPECT_TRUE(*router().IsDirectory("/t/data/x"));
  EXPECT_TRUE(*router().Exists("/t/data/x/a.txt"));
  ASSERT_TRUE(router().Write(actor_, "/t/plain", "P").ok());
  EXPECT_TRUE(*tree_->Exists("/t/plain"));
}

TEST_F(RouterTest, ListingsShowMountedContent) {
  ASSERT_TRUE(router().Write(actor_, "/t/data/x/a.txt", "A").ok());
  ASSERT_TRUE(router().Write(actor_, "/t/plain", "P").ok());
  auto top = router().List("/t");
  ASSERT_TRUE(top.ok());
  std::vector<std::string> paths;
  for (const auto& e : top->entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/t/data", "/t/plain", "/t/ro"}));
  ListOptions recursive;
  recursive.recursive = true;
  auto all = router().List("/t", recursive);
  ASSERT_TRUE(all.ok());
  paths.clear();
  for (const auto& e : all->entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/t/data", "/t/data/x", "/t/data/x/a.txt", "/t/plain",
                                             "/t/ro"}));
  auto inside = router().List("/t/data/x");
  ASSERT_TRUE(inside.ok());
  ASSERT_EQ(inside->entries.size(), 1u);
  EXPECT_EQ(inside->entries[0].path, "/t/data/x/a.txt");
  auto globbed = router().Glob("**/*.txt", "/t");
  ASSERT_TRUE(globbed.ok());
  EXPECT_EQ(*globbed, (std::vector<std::string>{"/t/data/x/a.txt"}));
}

TEST_F(RouterTest, ReadOnlyMountsRefuseChanges) {
  ASSERT_TRUE(WriteFileAtomically(ro_dir_.path() + "/r.txt", "R", false).ok());
  EXPECT_EQ(router().Read("/t/ro/r.txt")->content, "R");
  EXPECT_EQ(router().Write(actor_, "/t/ro/r.txt", "x").status().code(), Code::kValidation);
  EXPECT_EQ(router().Append(actor_, "/t/ro/r.txt", "x").status().code(), Code::kValidation);
  EXPECT_EQ(router().Delete("/t/ro/r.txt").code(), Code::kValidation);
  EXPECT_EQ(router().Mkdir(actor_, "/t/ro/d", false, false).code(), Code::kValidation);
  EXPECT_EQ(router().Rename("/t/ro/r.txt", "/t/ro/s.txt").code(), Code::kValidation);
  EXPECT_EQ(*ReadFile(ro_dir_.path() + "/r.txt"), "R");
}

TEST_F(RouterTest, MountBoundariesAndVersions) {
  ASSERT_TRUE(router().Write(actor_, "/t/data/a", "A").ok());
  ASSERT_TRUE(router().Write(actor_, "/t/plain", "P").ok());
  EXPECT_EQ(router().Rename("/t/data/a", "/t/moved").code(), Code::kValidation);
  EXPECT_EQ(router().Rename("/t/data/a", "/t/ro/a").code(), Code::kValidation);
  EXPECT_EQ(router().Rmdir("/t/data", true).code(), Code::kValidation);
  EXPECT_EQ(router().Rmdir("/t", true).code(), Code::kValidation) << "holds mount points";
  EXPECT_EQ(router().Delete("/t/data").code(), Code::kValidation);
  EXPECT_EQ(router().ListVersions("/t/data/a").status().code(), Code::kValidation);
  EXPECT_EQ(router().Read("/t/data/a", 1).status().code(), Code::kValidation);
  EXPECT_EQ(router().Rollback(actor_, "/t/data/a", 1).status().code(), Code::kValidation);
  // Copies cross boundaries by content.
  ASSERT_TRUE(router().Copy(actor_, "/t/plain", "/t/data/copied").ok());
  EXPECT_EQ(*ReadFile(rw_dir_.path() + "/copied"), "P");
  ASSERT_TRUE(router().Copy(actor_, "/t/data/a", "/t/from-mount").ok());
  EXPECT_EQ(tree_->Read("/t/from-mount")->content, "A");
}

// Pages of `dir` of `limit` entries each, followed to the end: the paths of each page.
std::vector<std::vector<std::string>> Pages(Router router, const std::string& dir, bool recursive,
                                            int64_t limit) {
  std::vector<std::vector<std::string>> pages;
  ListOptions options;
  options.recursive = recursive;
  options.limit = limit;
  for (int guard = 0; guard < 100; ++guard) {
    auto page = router.List(dir, options);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) break;
    pages.emplace_back();
    for (const auto& e : page->entries) pages.back().push_back(e.path);
    if (page->next_cursor.empty()) break;
    options.cursor = page->next_cursor;
  }
  return pages;
}

// Cursor and limit apply to the merged listing, so every entry shows exactly once.
TEST_F(RouterTest, PagesOfMergedAndMountedListings) {
  for (const char* path : {"/t/data/b", "/t/data/x/a.txt", "/t/data/x/c"})
    ASSERT_TRUE(router().Write(actor_, path, "x").ok());
  for (const char* path : {"/t/a", "/t/plain", "/t/z"})
    ASSERT_TRUE(router().Write(actor_, path, "x").ok());
  using Paths = std::vector<std::vector<std::string>>;
  EXPECT_EQ(Pages(router(), "/t", true, 3), (Paths{{"/t/a", "/t/data", "/t/data/b"},
                                                   {"/t/data/x", "/t/data/x/a.txt", "/t/data/x/c"},
                                                   {"/t/plain", "/t/ro", "/t/z"}}));
  EXPECT_EQ(Pages(router(), "/t", false, 2),
            (Paths{{"/t/a", "/t/data"}, {"/t/plain", "/t/ro"}, {"/t/z"}}));
  EXPECT_EQ(Pages(router(), "/t/data", true, 2),
            (Paths{{"/t/data/b", "/t/data/x"}, {"/t/data/x/a.txt", "/t/data/x/c"}}));
  EXPECT_EQ(Pages(router(), "/t/data", false, 0), (Paths{{"/t/data/b", "/t/data/x"}}));
  ListOptions negative;
  negative.limit = -1;
  EXPECT_EQ(router().List("/t/data", negative).status().code(), Code::kInvalidArgument);
}

// A filtered router's walks never enter the mounts it hides.
TEST_F(RouterTest, WalksSkipHiddenMounts) {
  ASSERT_TRUE(router().Write(actor_, "/t/data/a.txt", "A").ok());
  ASSERT_TRUE(WriteFileAtomically(ro_dir_.path() + "/r.txt", "R", false).ok());
  Router only_data(*tree_, &mounts_, [](const Mount& m) { return m.mount_point == "/t/data"; });
  EXPECT_EQ(*only_data.Glob("**/*.txt", "/"), (std::vector<std::string>{"/t/data/a.txt"}));
  ListOptions recursive;
  recursive.recursive = true;
  auto listed = only_data.List("/t", recursive);
  ASSERT_TRUE(listed.ok());
  std::vector<std::string> paths;
  for (const auto& e : listed->entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/t/data", "/t/data/a.txt", "/t/ro"}))
      << "the hidden mount's point is the tree's directory, its content stays out";
  EXPECT_EQ(*router().Glob("**/*.txt", "/"),
            (std::vector<std::string>{"/t/data/a.txt", "/t/ro/r.txt"}));
}

// (path, line) of each match.
std::vector<std::pair<std::string, int64_t>> Hits(const StatusOr<std::vector<GrepMatch>>& found) {
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  std::vector<std::pair<std::string, int64_t>> out;
  if (found.ok()) {
    for (const GrepMatch& m : *found) out.emplace_back(m.path, m.line);
  }
  return out;
}

// Grep searches mounted files as it does the tree's: in path order, max_results counted over
// all of them, and what the tree holds under a mount point hidden by the mount.
TEST_F(RouterTest, GrepSearchesMountedFiles) {
  ASSERT_TRUE(router().Write(actor_, "/t/a", "needle\n").ok());
  ASSERT_TRUE(router().Write(actor_, "/t/data/b", "x\nneedle\nneedle again\n").ok());
  ASSERT_TRUE(router().Write(actor_, "/t/data/x/c.txt", "needle").ok());
  ASSERT_TRUE(router().Write(actor_, "/t/data/bin", std::string("needle\0", 7)).ok());
  ASSERT_TRUE(router().Write(actor_, "/t/plain", "needle").ok());
  ASSERT_TRUE(WriteFileAtomically(ro_dir_.path() + "/r.txt", "a needle", false).ok());
  ASSERT_TRUE(tree_->Write(actor_, "/t/data/stale", "needle").ok()) << "under the mount point";
  using Hit = std::pair<std::string, int64_t>;
  using HitList = std::vector<Hit>;
  EXPECT_EQ(Hits(router().Grep("needle", "/t")), (HitList{{"/t/a", 1},
                                                          {"/t/data/b", 2},
                                                          {"/t/data/b", 3},
                                                          {"/t/data/x/c.txt", 1},
                                                          {"/t/plain", 1},
                                                          {"/t/ro/r.txt", 1}}));
  GrepOptions options;
  options.max_results = 2;
  EXPECT_EQ(Hits(router().Grep("needle", "/t", options)), (HitList{{"/t/a", 1}, {"/t/data/b", 2}}));
  options.max_results = 3;
  options.include = [](const std::string& path) { return path != "/t/data/b"; };
  EXPECT_EQ(Hits(router().Grep("needle", "/t", options)),
            (HitList{{"/t/a", 1}, {"/t/data/x/c.txt", 1}, {"/t/plain", 1}}));
  GrepOptions txt;
  txt.file_pattern = "*.txt";
  EXPECT_EQ(Hits(router().Grep("needle", "/t", txt)),
            (HitList{{"/t/data/x/c.txt", 1}, {"/t/ro/r.txt", 1}}));

  // Rooted inside a mount: a directory, a file, nothing.
  EXPECT_EQ(Hits(router().Grep("needle", "/t/data/x")), (HitList{{"/t/data/x/c.txt", 1}}));
  EXPECT_EQ(Hits(router().Grep("again", "/t/data/b")), (HitList{{"/t/data/b", 3}}));
  EXPECT_EQ(Hits(router().Grep("needle", "/t/data/none")), HitList{});
  EXPECT_EQ(router().Grep("(", "/t/data").status().code(), Code::kInvalidPattern);
  options.max_results = 0;
  EXPECT_EQ(router().Grep("needle", "/t/data", options).status().code(), Code::kInvalidArgument);

  Router only_data(*tree_, &mounts_, [](const Mount& m) { return m.mount_point == "/t/data"; });
  EXPECT_EQ(Hits(only_data.Grep("a needle", "/t")), HitList{}) << "the hidden mount is not read";
}

// Tuples naming a mounted path follow it: the tree's hooks run for changes on the host.
TEST_F(RouterTest, DeletesAndRenamesInMountsRunTheTreesHooks) {
  std::vector<std::string> calls;
  PathTreeHooks hooks;
  hooks.removed = [&](storage::Tx&, const std::string& path) {
    calls.push_back("removed " + path);
    return Status::OK();
  };
  hooks.renamed = [&](storage::Tx&, const std::string& from, const std::string& to) {
    calls.push_back("renamed " + from + " " + to);
    return Status::OK();
  };
  PathTree hooked(*store_.engine, *store_.blobs, hooks);
  Router router(hooked, &mounts_);
  ASSERT_TRUE(router.Write(actor_, "/t/data/d/a", "A").ok());
  ASSERT_TRUE(router.Rename("/t/data/d/a", "/t/data/d/b").ok());
  ASSERT_TRUE(router.Delete("/t/data/d/b").ok());
  ASSERT_TRUE(router.Rmdir("/t/data/d", true).ok());
  EXPECT_EQ(calls, (std::vector<std::string>{"renamed /t/data/d/a /t/data/d/b",
                                             "removed /t/data/d/b", "removed /t/data/d"}));
  EXPECT_EQ(router.Delete("/t/data/missing").code(), Code::kNotFound);
  EXPECT_EQ(calls.size(), 3u) << "a failed change runs no hook";
}

}  // namespace
}  // namespace nexus::vfs

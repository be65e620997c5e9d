// The path tree, operation by operation, on SQLite and PostgreSQL.
#include "vfs/path_tree.h"

#include <gtest/gtest.h>

#include "storage/blob_refs.h"
#include "testing/test_store.h"
#include "util/hash.h"
#include "vfs/test_tree.h"

namespace nexus::vfs {
namespace {

using test::EngineKind;

std::vector<std::string> Paths(const std::vector<FileInfo>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.path);
  return out;
}

class PathTreeTest : public TreeTest {
 protected:
  FileInfo MustWrite(const std::string& path, const std::string& content) {
    auto info = tree_->Write(alice_, path, content);
    EXPECT_TRUE(info.ok()) << path << ": " << info.status().ToString();
    return info.ok() ? *info : FileInfo{};
  }

  std::string MustRead(const std::string& path) {
    auto r = tree_->Read(path);
    EXPECT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    return r.ok() ? r->content : "";
  }

  std::vector<std::string> ListPaths(const std::string& dir, ListOptions options = {}) {
    auto page = tree_->List(dir, options);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? Paths(page->entries) : std::vector<std::string>{};
  }

  const Actor alice_{"alice"};
};

// --- write and read ---------------------------------------------------------------------

TEST_P(PathTreeTest, WriteThenReadReturnsContentAndMetadata) {
  const FileInfo info = MustWrite("/docs/readme.md", "# hello");
  EXPECT_EQ(info.path, "/docs/readme.md");
  EXPECT_EQ(info.etag, Sha256Hex("# hello"));
  EXPECT_EQ(info.size, 7);
  EXPECT_EQ(info.version, 1);
  EXPECT_EQ(info.mime_type, "text/markdown");
  EXPECT_EQ(info.owner, "alice");
  EXPECT_GT(info.modified_at, 0);
  auto read = tree_->Read("/docs/readme.md");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->content, "# hello");
  EXPECT_EQ(read->info.etag, info.etag);
  EXPECT_EQ(read->info.version, 1);
}

TEST_P(PathTreeTest, PathsAreNormalisedOnTheWayIn) {
  MustWrite("  a//b/./c.txt/ ", "x");
  EXPECT_EQ(MustRead("/a/b/c.txt"), "x");
  EXPECT_TRUE(*tree_->IsDirectory("/a/b"));
}

TEST_P(PathTreeTest, InvalidPathsAreRejected) {
  for (const char* bad : {"", "   ", "/", "/a/../b", "/a\nb", "/a\tb", "/ a/b", "/a /b"}) {
    EXPECT_EQ(tree_->Write(alice_, bad, "x").status().code(), Code::kInvalidPath) << bad;
  }
  EXPECT_EQ(tree_->Write(alice_, std::string("/a\0b", 4), "x").status().code(), Code::kInvalidPath);
  EXPECT_EQ(tree_->Write(alice_, "/" + std::string(300, 'a'), "x").status().code(),
            Code::kInvalidPath);
  EXPECT_EQ(tree_->Write(alice_, "/bad\xff", "x").status().code(), Code::kInvalidPath);
  EXPECT_EQ(tree_->Read("/..").status().code(), Code::kInvalidPath);
}

TEST_P(PathTreeTest, EachWriteIsANewVersion) {
  MustWrite("/f", "one");
  MustWrite("/f", "two");
  const FileInfo third = MustWrite("/f", "two");  // same content still makes a version
  EXPECT_EQ(third.version, 3);
  EXPECT_EQ(MustRead("/f"), "two");
  auto v1 = tree_->Read("/f", 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->content, "one");
  EXPECT_EQ(v1->info.version, 1);
  EXPECT_EQ(tree_->Read("/f", 9).status().code(), Code::kNotFound);
}

TEST_P(PathTreeTest, EmptyAndBinaryContent) {
  const std::string binary("\0\x01\x02\xff", 4);
  MustWrite("/empty", "");
  MustWrite("/bin", binary);
  EXPECT_EQ(MustRead("/empty"), "");
  EXPECT_EQ(MustRead("/bin"), binary);
}

TEST_P(PathTreeTest, ReadOfMissingOrDirectory) {
  EXPECT_EQ(tree_->Read("/nope").status().code(), Code::kNotFound);
  EXPECT_EQ(tree_->Read("/nope").status().message(), "File not found: /nope");
  MustWrite("/d/f", "x");
  EXPECT_EQ(tree_->Read("/d").status().code(), Code::kIsADirectory);
}

TEST_P(PathTreeTest, WriteUnderAFileIsNotADirectory) {
  MustWrite("/file", "x");
  EXPECT_EQ(tree_->Write(alice_, "/file/child", "y").status().code(), Code::kNotADirectory);
  EXPECT_EQ(MustRead("/file"), "x");
}

TEST_P(PathTreeTest, WriteOverADirectoryIsRefused) {
  ASSERT_TRUE(tree_->Mkdir(alice_, "/dir", false, false).ok());
  EXPECT_EQ(tree_->Write(alice_, "/dir", "x").status().code(), Code::kIsADirectory);
}

// --- conditions -------------------------------------------------------------------------

TEST_P(PathTreeTest, IfMatchWritesOnlyOverTheExpectedVersion) {
  const FileInfo v1 = MustWrite("/c", "one");
  WriteOptions cond;
  cond.if_match = v1.etag;
  ASSERT_TRUE(tree_->Write(alice_, "/c", "two", cond).ok());
  auto stale = tree_->Write(alice_, "/c", "three", cond);
  ASSERT_EQ(stale.status().code(), Code::kConflict);
  EXPECT_EQ(stale.status().detail("expected_etag"), v1.etag);
  EXPECT_EQ(stale.status().detail("current_etag"), Sha256Hex("two"));
  EXPECT_EQ(stale.status().detail("path"), "/c");
  EXPECT_EQ(MustRead("/c"), "two");
  cond.force = true;
  EXPECT_TRUE(tree_->Write(alice_, "/c", "forced", cond).ok());
}

TEST_P(PathTreeTest, IfMatchOnAMissingFileConflicts) {
  WriteOptions cond;
  cond.if_match = Sha256Hex("x");
  auto r = tree_->Write(alice_, "/missing", "x", cond);
  ASSERT_EQ(r.status().code(), Code::kConflict);
  EXPECT_EQ(r.status().detail("current_etag"), "");
}

TEST_P(PathTreeTest, IfNoneMatchCreatesOnlyNewFiles) {
  WriteOptions cond;
  cond.if_none_match = true;
  ASSERT_TRUE(tree_->Write(alice_, "/new", "1", cond).ok());
  EXPECT_EQ(tree_->Write(alice_, "/new", "2", cond).status().code(), Code::kAlreadyExists);
  EXPECT_EQ(MustRead("/new"), "1");
}

// --- append -----------------------------------------------------------------------------

TEST_P(PathTreeTest, AppendCreatesThenExtends) {
  auto first = tree_->Append(alice_, "/log", "a\n");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->version, 1);
  auto second = tree_->Append(alice_, "/log", "b\n");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(MustRead("/log"), "a\nb\n");
}

TEST_P(PathTreeTest, AppendHonoursTheCallersIfMatch) {
  MustWrite("/log", "a");
  WriteOptions cond;
  cond.if_match = Sha256Hex("something else");
  EXPECT_EQ(tree_->Append(alice_, "/log", "b", cond).status().code(), Code::kConflict);
  EXPECT_EQ(MustRead("/log"), "a");
}

// --- delete, mkdir, rmdir ---------------------------------------------------------------

TEST_P(PathTreeTest, DeleteRemovesFileAndHistory) {
  MustWrite("/gone", "1");
  MustWrite("/gone", "2");
  ASSERT_TRUE(tree_->Delete("/gone").ok());
  EXPECT_FALSE(*tree_->Exists("/gone"));
  EXPECT_EQ(tree_->Delete("/gone").code(), Code::kNotFound);
  const FileInfo again = MustWrite("/gone", "3");
  EXPECT_EQ(again.version, 1) << "a re-created file starts a new history";
}

TEST_P(PathTreeTest, DeleteOfADirectoryIsRefused) {
  MustWrite("/d/f", "x");
  EXPECT_EQ(tree_->Delete("/d").code(), Code::kIsADirectory);
}

TEST_P(PathTreeTest, MkdirRules) {
  EXPECT_EQ(tree_->Mkdir(alice_, "/a/b", false, false).code(), Code::kNotFound);
  ASSERT_TRUE(tree_->Mkdir(alice_, "/a/b", true, false).ok());
  EXPECT_TRUE(*tree_->IsDirectory("/a"));
  EXPECT_EQ(tree_->Mkdir(alice_, "/a/b", false, false).code(), Code::kAlreadyExists);
  EXPECT_TRUE(tree_->Mkdir(alice_, "/a/b", false, true).ok());
  EXPECT_TRUE(tree_->Mkdir(alice_, "/a/b", true, false).ok());
  MustWrite("/f", "x");
  EXPECT_EQ(tree_->Mkdir(alice_, "/f", true, true).code(), Code::kAlreadyExists);
  EXPECT_EQ(tree_->Mkdir(alice_, "/f/sub", false, false).code(), Code::kNotADirectory);
  EXPECT_EQ(tree_->Mkdir(alice_, "/f/sub", true, false).code(), Code::kNotADirectory);
}

TEST_P(PathTreeTest, RmdirRules) {
  MustWrite("/d/sub/f1", "1");
  MustWrite("/d/f2", "2");
  MustWrite("/dx", "sibling with a shared prefix");
  EXPECT_EQ(tree_->Rmdir("/d", false).code(), Code::kDirectoryNotEmpty);
  EXPECT_EQ(tree_->Rmdir("/dx", false).code(), Code::kNotADirectory);
  EXPECT_EQ(tree_->Rmdir("/missing", false).code(), Code::kNotFound);
  ASSERT_TRUE(tree_->Rmdir("/d", true).ok());
  EXPECT_FALSE(*tree_->Exists("/d"));
  EXPECT_FALSE(*tree_->Exists("/d/sub/f1"));
  EXPECT_EQ(MustRead("/dx"), "sibling with a shared prefix");
  ASSERT_TRUE(tree_->Mkdir(alice_, "/empty", false, false).ok());
  EXPECT_TRUE(tree_->Rmdir("/empty", false).ok());
}

// --- rename and copy --------------------------------------------------------------------

TEST_P(PathTreeTest, RenameFileKeepsHistory) {
  MustWrite("/old", "1");
  MustWrite("/old", "2");
  ASSERT_TRUE(tree_->Rename("/old", "/sub/new").ok());
  EXPECT_FALSE(*tree_->Exists("/old"));
  EXPECT_EQ(MustRead("/sub/new"), "2");
  auto versions = tree_->ListVersions("/sub/new");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 2u);
}

TEST_P(PathTreeTest, RenameMovesAWholeSubtree) {
  MustWrite("/src/a", "a");
  MustWrite("/src/deep/b", "b");
  MustWrite("/srcx/c", "not part of the subtree");
  ASSERT_TRUE(tree_->Rename("/src", "/dst/moved").ok());
  EXPECT_EQ(MustRead("/dst/moved/a"), "a");
  EXPECT_EQ(MustRead("/dst/moved/deep/b"), "b");
  EXPECT_EQ(MustRead("/srcx/c"), "not part of the subtree");
  EXPECT_FALSE(*tree_->Exists("/src"));
  EXPECT_EQ(ListPaths("/dst/moved"), (std::vector<std::string>{"/dst/moved/a", "/dst/moved/deep"}));
  EXPECT_EQ(ListPaths("/dst/moved/deep"), (std::vector<std::string>{"/dst/moved/deep/b"}));
}

TEST_P(PathTreeTest, RenameWithUnicodeNames) {
  MustWrite("/données/fichier.txt", "é");
  ASSERT_TRUE(tree_->Rename("/données", "/数据").ok());
  EXPECT_EQ(MustRead("/数据/fichier.txt"), "é");
  EXPECT_EQ(ListPaths("/数据"), (std::vector<std::string>{"/数据/fichier.txt"}));
}

TEST_P(PathTreeTest, RenameErrors) {
  MustWrite("/a/f", "1");
  MustWrite("/b", "2");
  EXPECT_EQ(tree_->Rename("/missing", "/x").code(), Code::kNotFound);
  EXPECT_EQ(tree_->Rename("/a/f", "/b").code(), Code::kAlreadyExists);
  EXPECT_EQ(tree_->Rename("/a", "/a/inside").code(), Code::kInvalidArgument);
  EXPECT_EQ(tree_->Rename("/a/f", "/b/under-a-file").code(), Code::kNotADirectory);
  EXPECT_EQ(MustRead("/a/f"), "1");
}

TEST_P(PathTreeTest, CopyMakesAnIndependentFile) {
  MustWrite("/orig", "content");
  auto copy = tree_->Copy(alice_, "/orig", "/copy");
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ(copy->version, 1);
  MustWrite("/orig", "changed");
  EXPECT_EQ(MustRead("/copy"), "content");
  ASSERT_TRUE(tree_->Delete("/orig").ok());
  EXPECT_EQ(MustRead("/copy"), "content");
  EXPECT_EQ(tree_->Copy(alice_, "/missing", "/x").status().code(), Code::kNotFound);
}

// --- exists, stat -----------------------------------------------------------------------

TEST_P(PathTreeTest, ExistsAndIsDirectory) {
  MustWrite("/x/y", "1");
  EXPECT_TRUE(*tree_->Exists("/x"));
  EXPECT_TRUE(*tree_->Exists("/x/y"));
  EXPECT_FALSE(*tree_->Exists("/x/z"));
  EXPECT_TRUE(*tree_->IsDirectory("/x"));
  EXPECT_FALSE(*tree_->IsDirectory("/x/y"));
  EXPECT_TRUE(*tree_->IsDirectory("/"));
  EXPECT_EQ(tree_->Exists("/a/../b").status().code(), Code::kInvalidPath);
}

TEST_P(PathTreeTest, StatOfDirectoryAndFile) {
  MustWrite("/s/f.json", "{}");
  auto dir = tree_->Stat("/s");
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE(dir->is_directory);
  EXPECT_EQ(dir->owner, "alice");
  auto file = tree_->Stat("/s/f.json");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->mime_type, "application/json");
  EXPECT_EQ(file->size, 2);
}

// --- list -------------------------------------------------------------------------------

TEST_P(PathTreeTest, ListChildrenAndRecursive) {
  MustWrite("/l/b.txt", "b");
  MustWrite("/l/a.txt", "a");
  MustWrite("/l/sub/c.txt", "c");
  MustWrite("/l-sibling/x", "x");
  EXPECT_EQ(ListPaths("/l"), (std::vector<std::string>{"/l/a.txt", "/l/b.txt", "/l/sub"}));
  ListOptions rec;
  rec.recursive = true;
  EXPECT_EQ(ListPaths("/l", rec),
            (std::vector<std::string>{"/l/a.txt", "/l/b.txt", "/l/sub", "/l/sub/c.txt"}));
  EXPECT_EQ(ListPaths("/"), (std::vector<std::string>{"/l", "/l-sibling"}));
}

TEST_P(PathTreeTest, ListDetailsDistinguishFilesAndDirectories) {
  MustWrite("/d/f", "12345");
  auto page = tree_->List("/d");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_FALSE(page->entries[0].is_directory);
  EXPECT_EQ(page->entries[0].size, 5);
  page = tree_->List("/");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_TRUE(page->entries[0].is_directory);
}

TEST_P(PathTreeTest, ListWithPrefixFilter) {
  for (const char* name : {"apple", "apricot", "banana", "ap/inner"})
    MustWrite(std::string("/p/") + name, "x");
  ListOptions opts;
  opts.prefix = "ap";
  EXPECT_EQ(ListPaths("/p", opts), (std::vector<std::string>{"/p/ap", "/p/apple", "/p/apricot"}));
  opts.recursive = true;
  EXPECT_EQ(ListPaths("/p", opts),
            (std::vector<std::string>{"/p/ap", "/p/ap/inner", "/p/apple", "/p/apricot"}));
}

TEST_P(PathTreeTest, ListPaginatesWithACursor) {
  for (int i = 0; i < 7; ++i) MustWrite("/page/f" + std::to_string(i), "x");
  ListOptions opts;
  opts.limit = 3;
  std::vector<std::string> all;
  int pages = 0;
  for (;;) {
    auto page = tree_->List("/page", opts);
    ASSERT_TRUE(page.ok());
    ++pages;
    for (auto& e : page->entries) all.push_back(e.path);
    if (page->next_cursor.empty()) break;
    opts.cursor = page->next_cursor;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all.front(), "/page/f0");
  EXPECT_EQ(all.back(), "/page/f6");
}

TEST_P(PathTreeTest, ListErrors) {
  MustWrite("/file", "x");
  EXPECT_EQ(tree_->List("/missing").status().code(), Code::kNotFound);
  EXPECT_EQ(tree_->List("/file").status().code(), Code::kNotADirectory);
  ListOptions bad;
  bad.limit = -1;
  EXPECT_EQ(tree_->List("/", bad).status().code(), Code::kInvalidArgument);
}

// --- glob and grep ----------------------------------------------------------------------

TEST_P(PathTreeTest, GlobPatterns) {
  for (const char* p :
       {"/g/a.py", "/g/b.py", "/g/c.txt", "/g/sub/d.py", "/g/sub/deep/e.py", "/g/x1", "/g/x22"}) {
    MustWrite(p, "x");
  }
  auto m = tree_->Glob("*.py", "/g");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, (std::vector<std::string>{"/g/a.py", "/g/b.py"}));
  m = tree_->Glob("/g/**/*.py");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m,
            (std::vector<std::string>{"/g/a.py", "/g/b.py", "/g/sub/d.py", "/g/sub/deep/e.py"}));
  m = tree_->Glob("x?", "/g");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, (std::vector<std::string>{"/g/x1"}));
  m = tree_->Glob("[ab].*", "/g");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, (std::vector<std::string>{"/g/a.py", "/g/b.py"}));
  EXPECT_EQ(tree_->Glob("[unclosed", "/g").status().code(), Code::kInvalidPattern);
  EXPECT_EQ(tree_->Glob("", "/g").status().code(), Code::kInvalidPattern);
}

TEST_P(PathTreeTest, GrepFindsLinesAndSkipsBinaries) {
  MustWrite("/src/main.py", "import os\nprint('Hello')\nhello = 1\n");
  MustWrite("/src/notes.txt", "say hello\n");
  MustWrite("/src/blob.bin", std::string("hello\0binary", 12));
  auto hits = tree_->Grep("hello", "/src");
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].path, "/src/main.py");
  EXPECT_EQ((*hits)[0].line, 3);
  EXPECT_EQ((*hits)[0].content, "hello = 1");
  EXPECT_EQ((*hits)[0].match, "hello");
  EXPECT_EQ((*hits)[1].path, "/src/notes.txt");

  GrepOptions opts;
  opts.ignore_case = true;
  opts.file_pattern = "*.py";
  hits = tree_->Grep("HEL+O", "/src", opts);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].match, "Hello");

  opts = {};
  opts.max_results = 1;
  hits = tree_->Grep("o", "/src", opts);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 1u);

  hits = tree_->Grep("say", "/src/notes.txt");
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 1u);
}

TEST_P(PathTreeTest, GrepRejectsBadPatterns) {
  auto bad = tree_->Grep("(unclosed", "/");
  EXPECT_EQ(bad.status().code(), Code::kInvalidPattern);
  EXPECT_NE(bad.status().message().find("Invalid regex pattern"), std::string::npos);
  // Backreferences would need backtracking; RE2 refuses them rather than run in exponential time.
  EXPECT_EQ(tree_->Grep("(a)\\1", "/").status().code(), Code::kInvalidPattern);
  GrepOptions none;
  none.max_results = 0;
  EXPECT_EQ(tree_->Grep("x", "/", none).status().code(), Code::kInvalidArgument);
}

// --- versions ---------------------------------------------------------------------------

TEST_P(PathTreeTest, ListVersionsNewestFirst) {
  MustWrite("/v", "1");
  MustWrite("/v", "22");
  auto versions = tree_->ListVersions("/v");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, 2);
  EXPECT_EQ((*versions)[0].size, 2);
  EXPECT_EQ((*versions)[0].etag, Sha256Hex("22"));
  EXPECT_EQ((*versions)[0].created_by, "alice");
  EXPECT_EQ((*versions)[0].source_type, "original");
  EXPECT_EQ((*versions)[1].version, 1);
}

TEST_P(PathTreeTest, RollbackMakesAnOldVersionCurrentAsANewOne) {
  MustWrite("/r", "first");
  MustWrite("/r", "second");
  auto rolled = tree_->Rollback(alice_, "/r", 1);
  ASSERT_TRUE(rolled.ok()) << rolled.status().ToString();
  EXPECT_EQ(rolled->version, 3);
  EXPECT_EQ(MustRead("/r"), "first");
  auto versions = tree_->ListVersions("/r");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ((*versions)[0].source_type, "rollback");
  EXPECT_EQ((*versions)[0].change_reason, "Rollback to version 1");
  EXPECT_EQ(tree_->Rollback(alice_, "/r", 42).status().code(), Code::kNotFound);
  EXPECT_EQ(tree_->Rollback(alice_, "/none", 1).status().code(), Code::kNotFound);
}

TEST_P(PathTreeTest, DiffBetweenVersions) {
  MustWrite("/diff.txt", "a\nb\nc\n");
  MustWrite("/diff.txt", "a\nB\nc\n");
  auto diff = tree_->DiffVersions("/diff.txt", 1, 2);
  ASSERT_TRUE(diff.ok());
  EXPECT_NE(diff->find("-b\n"), std::string::npos) << *diff;
  EXPECT_NE(diff->find("+B\n"), std::string::npos) << *diff;
  EXPECT_NE(diff->find("--- /diff.txt@v1"), std::string::npos) << *diff;
  auto same = tree_->DiffVersions("/diff.txt", 2, 2);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
  EXPECT_EQ(tree_->DiffVersions("/diff.txt", 1, 5).status().code(), Code::kNotFound);
}

// --- key/value metadata -----------------------------------------------------------------

TEST_P(PathTreeTest, FileMetadataSetGetListRemove) {
  MustWrite("/m", "x");
  ASSERT_TRUE(tree_->SetFileMetadata("/m", "status", "ready").ok());
  ASSERT_TRUE(tree_->SetFileMetadata("/m", "status", "done").ok());
  ASSERT_TRUE(tree_->SetFileMetadata("/m", "owner", "bob").ok());
  EXPECT_EQ(**tree_->GetFileMetadata("/m", "status"), "done");
  auto all = tree_->ListFileMetadata("/m");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  ASSERT_TRUE(tree_->SetFileMetadata("/m", "status", std::nullopt).ok());
  EXPECT_FALSE(tree_->GetFileMetadata("/m", "status")->has_value());
  EXPECT_EQ(tree_->SetFileMetadata("/none", "k", "v").code(), Code::kNotFound);
  EXPECT_EQ(tree_->SetFileMetadata("/m", "", "v").code(), Code::kInvalidArgument);
  ASSERT_TRUE(tree_->Rename("/m", "/m2").ok());
  EXPECT_EQ(**tree_->GetFileMetadata("/m2", "owner"), "bob") << "metadata follows a rename";
}

// --- blob references --------------------------------------------------------------------

TEST_P(PathTreeTest, SweepAfterDeleteRemovesContentNoLongerReferenced) {
  MustWrite("/keep", "shared");
  MustWrite("/drop", "shared");
  MustWrite("/drop", "only here");
  ASSERT_TRUE(tree_->Delete("/drop").ok());
  auto swept = storage::SweepBlobs(*store_.engine, *store_.blobs, 0);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(MustRead("/keep"), "shared");
}

INSTANTIATE_TEST_SUITE_P(Engines, PathTreeTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::vfs

// The local backend: pass-through file operations, and confinement to its directory.
#include "vfs/local_backend.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "testing/temp_dir.h"
#include "util/file.h"

namespace nexus::vfs {
namespace {

class LocalBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = host_.path() + "/root";
    ASSERT_TRUE(CreateDirectories(root_).ok());
    auto backend = LocalBackend::Open(root_, "/mnt/x");
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    backend_ = std::move(*backend);
  }

  std::string Host(const std::string& rel) const { return root_ + "/" + rel; }

  test::TempDir host_{"nexus-local"};
  std::string root_;
  std::unique_ptr<LocalBackend> backend_;
};

TEST_F(LocalBackendTest, OpenRefusesWhatIsNotAnAbsoluteDirectory) {
  EXPECT_EQ(LocalBackend::Open("relative/dir", "/m").status().code(), Code::kValidation);
  EXPECT_EQ(LocalBackend::Open(host_.path() + "/missing", "/m").status().code(), Code::kValidation);
  ASSERT_TRUE(WriteFileAtomically(Host("f"), "x", false).ok());
  EXPECT_EQ(LocalBackend::Open(Host("f"), "/m").status().code(), Code::kValidation);
  ASSERT_EQ(::symlink(root_.c_str(), (host_.path() + "/link").c_str()), 0);
  EXPECT_EQ(LocalBackend::Open(host_.path() + "/link", "/m").status().code(), Code::kValidation);
}

TEST_F(LocalBackendTest, WriteLandsInTheHostDirectory) {
  auto info = backend_->Write("a/b.txt", "hello");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->path, "a/b.txt");
  EXPECT_EQ(info->size, 5);
  EXPECT_EQ(info->mime_type, "text/plain");
  EXPECT_EQ(info->etag.size(), 64u);
  EXPECT_EQ(*ReadFile(Host("a/b.txt")), "hello");
  auto read = backend_->Read("a/b.txt");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->content, "hello");
  EXPECT_EQ(read->info.etag, info->etag) << "the etag is stable while the file is unchanged";
  auto again = backend_->Write("a/b.txt", "hello!");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->etag, info->etag);
}

TEST_F(LocalBackendTest, ConditionalWrites) {
  auto v1 = backend_->Write("c", "one");
  ASSERT_TRUE(v1.ok());
  WriteOptions create_only;
  create_only.if_none_match = true;
  EXPECT_EQ(backend_->Write("c", "x", create_only).status().code(), Code::kAlreadyExists);
  WriteOptions match;
  match.if_match = "stale";
  auto stale = backend_->Write("c", "x", match);
  ASSERT_EQ(stale.status().code(), Code::kConflict);
  EXPECT_EQ(stale.status().detail("current_etag"), v1->etag);
  match.if_match = v1->etag;
  EXPECT_TRUE(backend_->Write("c", "two", match).ok());
  EXPECT_EQ(*ReadFile(Host("c")), "two");
}

TEST_F(LocalBackendTest, AppendDeleteMkdirRmdirRename) {
  ASSERT_TRUE(backend_->Append("log", "a").ok());
  ASSERT_TRUE(backend_->Append("log", "b").ok());
  EXPECT_EQ(*ReadFile(Host("log")), "ab");
  EXPECT_EQ(backend_->Mkdir("d/e", false, false).code(), Code::kNotFound);
  ASSERT_TRUE(backend_->Mkdir("d/e", true, false).ok());
  EXPECT_EQ(backend_->Mkdir("d/e", false, false).code(), Code::kAlreadyExists);
  EXPECT_TRUE(backend_->Mkdir("d/e", false, true).ok());
  ASSERT_TRUE(backend_->Write("d/e/f", "x").ok());
  EXPECT_EQ(backend_->Rmdir("d", false).code(), Code::kDirectoryNotEmpty);
  EXPECT_EQ(backend_->Delete("d").code(), Code::kIsADirectory);
  ASSERT_TRUE(backend_->Rename("log", "d/log2").ok());
  EXPECT_EQ(*ReadFile(Host("d/log2")), "ab");
  ASSERT_TRUE(backend_->Write("other", "o").ok());
  EXPECT_EQ(backend_->Rename("other", "d/log2").code(), Code::kAlreadyExists);
  ASSERT_TRUE(backend_->Delete("other").ok());
  EXPECT_EQ(backend_->Delete("other").code(), Code::kNotFound);
  ASSERT_TRUE(backend_->Rmdir("d", true).ok());
  struct stat st;
  EXPECT_NE(::stat(Host("d").c_str(), &st), 0);
}

TEST_F(LocalBackendTest, ListAndStat) {
  ASSERT_TRUE(backend_->Write("b.md", "# b").ok());
  ASSERT_TRUE(backend_->Write("a/c.txt", "c").ok());
  auto top = backend_->List("", false);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 2u);
  EXPECT_EQ((*top)[0].path, "a");
  EXPECT_TRUE((*top)[0].is_directory);
  EXPECT_EQ((*top)[1].path, "b.md");
  EXPECT_EQ((*top)[1].mime_type, "text/markdown");
  auto all = backend_->List("", true);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  auto root = backend_->Stat("");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->is_directory);
  EXPECT_EQ(backend_->Stat("nope").status().code(), Code::kNotFound);
  EXPECT_EQ(backend_->Read("a").status().code(), Code::kIsADirectory);
}

TEST_F(LocalBackendTest, DotDotIsRefused) {
  ASSERT_TRUE(WriteFileAtomically(host_.path() + "/secret", "s", false).ok());
  EXPECT_EQ(backend_->Read("../secret").status().code(), Code::kInvalidPath);
  EXPECT_EQ(backend_->Write("a/../../secret", "x").status().code(), Code::kInvalidPath);
  EXPECT_EQ(backend_->Read("a//b").status().code(), Code::kInvalidPath);
  EXPECT_EQ(*ReadFile(host_.path() + "/secret"), "s");
}

// Bad input is the caller's fault, never an internal error; too large a file is refused.
TEST_F(LocalBackendTest, CallerErrorsAndTheReadCap) {
  const std::string long_name(300, 'n');
  EXPECT_EQ(backend_->Write(long_name, "x").status().code(), Code::kInvalidPath);
  EXPECT_EQ(backend_->Read(long_name).status().code(), Code::kInvalidPath);
  EXPECT_EQ(backend_->Mkdir(long_name + "/d", true, false).code(), Code::kInvalidPath);

  ASSERT_TRUE(WriteFileAtomically(Host("big"), "", false).ok());
  ASSERT_EQ(::truncate(Host("big").c_str(), LocalBackend::kMaxReadBytes + 1), 0);
  EXPECT_EQ(backend_->Read("big").status().code(), Code::kValidation);
  EXPECT_EQ(backend_->Append("big", "x").status().code(), Code::kValidation);
  ASSERT_EQ(::truncate(Host("big").c_str(), LocalBackend::kMaxReadBytes), 0);
  EXPECT_TRUE(backend_->Read("big").ok()) << "the cap itself is allowed";
}

TEST_F(LocalBackendTest, ListingStopsWhenAsked) {
  for (const char* name : {"a", "b", "c", "d/e", "d/f"})
    ASSERT_TRUE(backend_->Write(name, "x").ok());
  int polls = 0;
  auto partial = backend_->List("", true, nullptr, [&] { return ++polls > 2; });
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->size(), 2u);
  auto whole = backend_->List("", true, nullptr, [] { return false; });
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->size(), 6u);
}

// Links planted in the directory after it was mounted lead nowhere, whatever they point at.
TEST_F(LocalBackendTest, SymbolicLinksAreNeverFollowed) {
  const std::string outside = host_.path() + "/outside";
  ASSERT_TRUE(CreateDirectories(outside).ok());
  ASSERT_TRUE(WriteFileAtomically(outside + "/secret", "s", false).ok());
  ASSERT_EQ(::symlink((outside + "/secret").c_str(), Host("file-link").c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), Host("dir-link").c_str()), 0);

  EXPECT_EQ(backend_->Read("file-link").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(backend_->Read("dir-link/secret").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(backend_->Write("dir-link/new", "x").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(backend_->Write("file-link", "x").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(backend_->Append("file-link", "x").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(backend_->Delete("file-link").code(), Code::kPermissionDenied);
  EXPECT_EQ(backend_->Mkdir("dir-link/sub", true, false).code(), Code::kPermissionDenied);
  EXPECT_EQ(backend_->Rename("dir-link/secret", "stolen").code(), Code::kPermissionDenied);
  EXPECT_EQ(backend_->List("dir-link", false).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(backend_->Stat("file-link").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(*ReadFile(outside + "/secret"), "s");

  std::vector<std::string> skipped;
  auto listed = backend_->List("", true, &skipped);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty()) << "links are not listed";
  std::sort(skipped.begin(), skipped.end());
  EXPECT_EQ(skipped, (std::vector<std::string>{"dir-link", "file-link"}));

  // Removing a directory removes links in it, never what they point at.
  ASSERT_TRUE(backend_->Mkdir("d", false, false).ok());
  ASSERT_EQ(::symlink(outside.c_str(), Host("d/escape").c_str()), 0);
  ASSERT_TRUE(backend_->Rmdir("d", true).ok());
  EXPECT_EQ(*ReadFile(outside + "/secret"), "s");
}

}  // namespace
}  // namespace nexus::vfs

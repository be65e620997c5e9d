#include "util/file.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace nexus {
namespace {

int EntriesIn(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  int n = 0;
  while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
  ::closedir(d);
  return n;
}

TEST(FileTest, AtomicWriteReplacesAndLeavesNoTemporaries) {
  test::TempDir dir;
  const std::string path = dir.path() + "/f";
  ASSERT_TRUE(WriteFileAtomically(path, "one", true).ok());
  ASSERT_TRUE(WriteFileAtomically(path, "two", false).ok());
  EXPECT_EQ(*ReadFile(path), "two");
  EXPECT_EQ(EntriesIn(dir.path()), 1);
}

TEST(FileTest, FailedWriteLeavesNothing) {
  test::TempDir dir;
  Status s = WriteFileAtomically(dir.path() + "/missing-dir/f", "x", true);
  EXPECT_EQ(s.code(), Code::kNotFound) << s.ToString();
  EXPECT_EQ(EntriesIn(dir.path()), 0);
}

TEST(FileTest, ErrnoMapping) {
  EXPECT_EQ(ErrnoStatus(ENOSPC, "write x").code(), Code::kStorageFull);
  EXPECT_EQ(ErrnoStatus(EDQUOT, "write x").code(), Code::kStorageFull);
  EXPECT_EQ(ErrnoStatus(ENOENT, "open x").code(), Code::kNotFound);
  EXPECT_EQ(ErrnoStatus(EIO, "read x").code(), Code::kIOError);
  EXPECT_NE(ErrnoStatus(EIO, "read x").message().find("read x"), std::string::npos);
}

TEST(FileTest, ReadMissingFile) {
  EXPECT_EQ(ReadFile("/nonexistent/nexus").status().code(), Code::kNotFound);
}

TEST(FileTest, CreateDirectoriesIsIdempotent) {
  test::TempDir dir;
  ASSERT_TRUE(CreateDirectories(dir.path() + "/a/b/c").ok());
  ASSERT_TRUE(CreateDirectories(dir.path() + "/a/b/c").ok());
  EXPECT_TRUE(SyncDirectory(dir.path() + "/a/b").ok());
}

TEST(FileTest, LockIsExclusiveUntilReleased) {
  test::TempDir dir;
  const std::string path = dir.path() + "/LOCK";
  auto first = FileLock::Acquire(path);
  ASSERT_TRUE(first.ok());
  auto second = FileLock::Acquire(path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kInUse);
  first->reset();
  EXPECT_TRUE(FileLock::Acquire(path).ok());
}

}  // namespace
}  // namespace nexus

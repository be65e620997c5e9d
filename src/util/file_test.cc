#include "util/file.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include "testing/temp_dir.h"
#include "util/fault_injection.h"

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

TEST(FileTest, RangesAreClippedToTheEnd) {
  test::TempDir dir;
  const std::string path = dir.path() + "/f";
  ASSERT_TRUE(WriteFileAtomically(path, "0123456789", false).ok());
  EXPECT_EQ(*ReadFileRange(path, 2, 3), "234");
  EXPECT_EQ(*ReadFileRange(path, 8, 100), "89");
  EXPECT_EQ(*ReadFileRange(path, 50, 10), "");
  EXPECT_EQ(ReadFileRange(path, -1, 3).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ReadFileRange(dir.path() + "/none", 0, 1).status().code(), Code::kNotFound);
}

TEST(FileTest, BuiltFileAppearsWholeOrNotAtAll) {
  test::TempDir dir;
  const std::string path = dir.path() + "/built";
  {
    auto builder = FileBuilder::Create(path);
    ASSERT_TRUE(builder.ok()) << builder.status().ToString();
    ASSERT_TRUE((*builder)->WriteAt(5, "world").ok());
    ASSERT_TRUE((*builder)->WriteAt(0, "hello").ok());
    EXPECT_EQ(EntriesIn(dir.path()), 1) << "only the temporary file";
    EXPECT_EQ(ReadFile(path).status().code(), Code::kNotFound);
    ASSERT_TRUE((*builder)->Install(path, true).ok());
  }
  EXPECT_EQ(*ReadFile(path), "helloworld");
  {
    auto abandoned = FileBuilder::Create(path);
    ASSERT_TRUE(abandoned.ok());
    ASSERT_TRUE((*abandoned)->WriteAt(0, "partial").ok());
  }
  EXPECT_EQ(*ReadFile(path), "helloworld");
  EXPECT_EQ(EntriesIn(dir.path()), 1) << "the abandoned temporary file is gone";
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

// Every failure before the rename leaves neither the file nor its temporary behind.
TEST(FileTest, InjectedAtomicWriteFailuresLeaveNothing) {
  for (const char* rule : {"file.write:1:ENOSPC", "file.fsync:1:EIO", "file.rename:1:ENOSPC"}) {
    test::TempDir dir;
    ASSERT_TRUE(SetFaults(rule).ok());
    const Status s = WriteFileAtomically(dir.path() + "/f", "content", /*sync=*/true);
    EXPECT_FALSE(s.ok()) << rule;
    EXPECT_EQ(EntriesIn(dir.path()), 0) << rule;
    ClearFaults();
    ASSERT_TRUE(WriteFileAtomically(dir.path() + "/f", "content", true).ok()) << rule;
    EXPECT_EQ(*ReadFile(dir.path() + "/f"), "content");
  }
}

// A directory fsync fails after the rename: the file is complete, never partial.
TEST(FileTest, InjectedDirectorySyncFailureLeavesACompleteFile) {
  test::TempDir dir;
  ASSERT_TRUE(SetFaults("file.dirsync:1:EIO").ok());
  EXPECT_EQ(WriteFileAtomically(dir.path() + "/f", "content", true).code(), Code::kIOError);
  EXPECT_EQ(EntriesIn(dir.path()), 1);
  EXPECT_EQ(*ReadFile(dir.path() + "/f"), "content");
  ClearFaults();
}

}  // namespace
}  // namespace nexus

#include "fuse/content_cache.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"
#include "util/file.h"
#include "util/hash.h"

namespace nexus::fuse {
namespace {

// Puts `content` into the cache under its hash; returns the hash.
std::string Put(ContentCache& cache, const std::string& content) {
  StatusOr<TempFile> temp = cache.NewTemp();
  EXPECT_TRUE(temp.ok()) << temp.status().ToString();
  EXPECT_TRUE(WriteAll(temp->fd.get(), content, temp->path).ok());
  const std::string etag = Sha256Hex(content);
  EXPECT_TRUE(cache.Install(temp->path, etag, static_cast<int64_t>(content.size())).ok());
  return etag;
}

std::string ReadAllOf(const UniqueFd& fd) {
  StatusOr<std::string> all = ReadAll(fd.get(), "cached");
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  return all.ok() ? *all : "";
}

TEST(ContentCacheTest, FindsWhatWasInstalledByItsEtag) {
  test::TempDir dir;
  auto cache = ContentCache::Open(dir.path() + "/cache", 1 << 20);
  ASSERT_TRUE(cache.ok()) << cache.status().ToString();
  const std::string etag = Put(**cache, "hello");
  std::optional<UniqueFd> fd = (*cache)->Find(etag);
  ASSERT_TRUE(fd);
  EXPECT_EQ(ReadAllOf(*fd), "hello");
  EXPECT_FALSE((*cache)->Find(Sha256Hex("other")));
  EXPECT_EQ((*cache)->bytes(), 5);
}

TEST(ContentCacheTest, AnEtagThatIsNotAHashNeverBecomesAPath) {
  test::TempDir dir;
  auto cache = ContentCache::Open(dir.path() + "/cache", 1 << 20);
  ASSERT_TRUE(cache.ok());
  StatusOr<TempFile> temp = (*cache)->NewTemp();
  ASSERT_TRUE(temp.ok());
  EXPECT_EQ((*cache)->Install(temp->path, "../../etc/passwd", 0).code(), Code::kInvalidArgument);
  EXPECT_FALSE((*cache)->Find("../../etc/passwd"));
}

TEST(ContentCacheTest, DropsTheLeastRecentlyUsedBeyondItsBound) {
  test::TempDir dir;
  auto cache = ContentCache::Open(dir.path() + "/cache", 10);
  ASSERT_TRUE(cache.ok());
  const std::string a = Put(**cache, "aaaa");
  const std::string b = Put(**cache, "bbbb");
  ASSERT_TRUE((*cache)->Find(a));  // a is now used more recently than b
  const std::string c = Put(**cache, "cccc");
  EXPECT_TRUE((*cache)->Find(a));
  EXPECT_FALSE((*cache)->Find(b));
  EXPECT_TRUE((*cache)->Find(c));
  EXPECT_LE((*cache)->bytes(), 10);
}

TEST(ContentCacheTest, AnOpenContentStaysReadableAfterItIsDropped) {
  test::TempDir dir;
  auto cache = ContentCache::Open(dir.path() + "/cache", 6);
  ASSERT_TRUE(cache.ok());
  const std::string a = Put(**cache, "aaaa");
  std::optional<UniqueFd> held = (*cache)->Find(a);
  ASSERT_TRUE(held);
  Put(**cache, "bbbb");
  EXPECT_FALSE((*cache)->Find(a));
  EXPECT_EQ(ReadAllOf(*held), "aaaa");
}

TEST(ContentCacheTest, ReopeningKeepsContentsAndClearsTemporaryFiles) {
  test::TempDir dir;
  const std::string path = dir.path() + "/cache";
  std::string etag;
  std::string leftover;
  {
    auto cache = ContentCache::Open(path, 1 << 20);
    ASSERT_TRUE(cache.ok());
    etag = Put(**cache, "kept");
    StatusOr<TempFile> temp = (*cache)->NewTemp();
    ASSERT_TRUE(temp.ok());
    leftover = temp->path;
  }
  auto cache = ContentCache::Open(path, 1 << 20);
  ASSERT_TRUE(cache.ok());
  std::optional<UniqueFd> fd = (*cache)->Find(etag);
  ASSERT_TRUE(fd);
  EXPECT_EQ(ReadAllOf(*fd), "kept");
  EXPECT_NE(::access(leftover.c_str(), F_OK), 0);
}

TEST(ContentCacheTest, OpeningLeavesTheTemporaryFilesOfACacheStillOpen) {
  test::TempDir dir;
  const std::string path = dir.path() + "/cache";
  auto running = ContentCache::Open(path, 1 << 20);
  ASSERT_TRUE(running.ok());
  StatusOr<TempFile> copy = (*running)->NewTemp();
  ASSERT_TRUE(copy.ok());
  auto second = ContentCache::Open(path, 1 << 20);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(::access(copy->path.c_str(), F_OK), 0);
}

TEST(ContentCacheTest, AnUnsavedCopyIsKeptUnderTheFilesName) {
  test::TempDir dir;
  auto cache = ContentCache::Open(dir.path() + "/cache", 1 << 20);
  ASSERT_TRUE(cache.ok());
  StatusOr<TempFile> copy = (*cache)->NewTemp();
  ASSERT_TRUE(copy.ok());
  ASSERT_TRUE(WriteAll(copy->fd.get(), "written", copy->path).ok());
  StatusOr<std::string> kept = (*cache)->KeepUnsaved(copy->path, "/docs/notes.txt");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->rfind(dir.path() + "/cache/unsaved/notes.txt.", 0), 0u) << *kept;
  StatusOr<std::string> content = ReadFile(*kept);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "written");
}

TEST(ContentCacheTest, ANegativeBoundIsRefused) {
  test::TempDir dir;
  EXPECT_EQ(ContentCache::Open(dir.path() + "/cache", -1).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace nexus::fuse

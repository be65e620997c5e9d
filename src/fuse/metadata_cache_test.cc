#include "fuse/metadata_cache.h"

#include <gtest/gtest.h>

#include <thread>

namespace nexus::fuse {
namespace {

using std::chrono::milliseconds;

Attributes File(int64_t size) {
  Attributes attributes;
  attributes.size = size;
  attributes.etag = "e";
  return attributes;
}

Attributes Directory() {
  Attributes attributes;
  attributes.is_directory = true;
  return attributes;
}

TEST(MetadataCacheTest, KeepsWhatItWasToldWithinItsTimeToLive) {
  MetadataCache cache(milliseconds(60000));
  EXPECT_FALSE(cache.Find("/a"));
  cache.Put("/a", File(3));
  cache.PutMissing("/b");
  ASSERT_TRUE(cache.Find("/a"));
  EXPECT_TRUE(cache.Find("/a")->exists);
  EXPECT_EQ(cache.Find("/a")->attributes.size, 3);
  ASSERT_TRUE(cache.Find("/b"));
  EXPECT_FALSE(cache.Find("/b")->exists);
}

TEST(MetadataCacheTest, ForgetsAfterItsTimeToLive) {
  MetadataCache cache(milliseconds(20));
  cache.Put("/a", File(3));
  cache.PutListing("/", {{"a", File(3)}});
  std::this_thread::sleep_for(milliseconds(40));
  EXPECT_FALSE(cache.Find("/a"));
  EXPECT_FALSE(cache.FindListing("/"));
}

TEST(MetadataCacheTest, ATimeToLiveOfZeroKeepsNothing) {
  MetadataCache cache(milliseconds(0));
  cache.Put("/a", File(3));
  cache.PutListing("/", {{"a", File(3)}});
  EXPECT_FALSE(cache.Find("/a"));
  EXPECT_FALSE(cache.FindListing("/"));
}

TEST(MetadataCacheTest, AListingTellsEachChildsAttributes) {
  MetadataCache cache(milliseconds(60000));
  cache.PutListing("/d", {{"x", File(1)}, {"y", Directory()}});
  ASSERT_TRUE(cache.FindListing("/d"));
  EXPECT_EQ(cache.FindListing("/d")->size(), 2u);
  EXPECT_EQ(cache.Find("/d/x")->attributes.size, 1);
  EXPECT_TRUE(cache.Find("/d/y")->attributes.is_directory);
  EXPECT_TRUE(cache.Find("/d")->attributes.is_directory);
}

TEST(MetadataCacheTest, ForgettingAPathForgetsItsSubtreeAndItsParentsListingOnly) {
  MetadataCache cache(milliseconds(60000));
  cache.PutListing("/", {{"d", Directory()}, {"d-x", File(1)}});
  cache.PutListing("/d", {{"x", File(1)}});
  cache.Put("/d.txt", File(2));
  cache.Forget("/d");
  EXPECT_FALSE(cache.Find("/d"));
  EXPECT_FALSE(cache.Find("/d/x"));
  EXPECT_FALSE(cache.FindListing("/"));
  // Siblings that share the name's prefix stay.
  EXPECT_TRUE(cache.Find("/d-x"));
  EXPECT_TRUE(cache.Find("/d.txt"));
}

TEST(MetadataCacheTest, PathsOfParentsAndChildren) {
  EXPECT_EQ(ParentOf("/a/b"), "/a");
  EXPECT_EQ(ParentOf("/a"), "/");
  EXPECT_EQ(ChildOf("/", "a"), "/a");
  EXPECT_EQ(ChildOf("/a", "b"), "/a/b");
}

}  // namespace
}  // namespace nexus::fuse

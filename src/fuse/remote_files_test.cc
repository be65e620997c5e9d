#include "fuse/remote_files.h"

#include <gtest/gtest.h>

namespace nexus::fuse {
namespace {

using client::Value;

constexpr char kEtag[] = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

TEST(AttributesOfTest, ReadsAStatAnswer) {
  StatusOr<Attributes> a =
      AttributesOf({{"is_directory", false},
                    {"size", 5},
                    {"etag", kEtag},
                    {"modified_at", Value::DateTime("2026-12-08T01:18:46.568310+00:00")}});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE(a->is_directory);
  EXPECT_EQ(a->size, 5);
  EXPECT_EQ(a->etag, kEtag);
  EXPECT_EQ(a->modified_us, 1796692726568310);
}

TEST(AttributesOfTest, ADirectoryNeedsNoEtagOrTime) {
  StatusOr<Attributes> a = AttributesOf({{"is_directory", true}, {"size", 0}, {"etag", nullptr}});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->is_directory);
  EXPECT_EQ(a->modified_us, 0);
}

TEST(AttributesOfTest, RefusesWhatNoFileCanBe) {
  EXPECT_EQ(AttributesOf({{"size", -1}, {"etag", kEtag}}).status().code(), Code::kIOError);
  EXPECT_EQ(AttributesOf({{"size", kMaxFileSize + 1}, {"etag", kEtag}}).status().code(),
            Code::kIOError);
  // The etag names a file in the content cache: it must be a hash.
  EXPECT_EQ(AttributesOf({{"size", 1}, {"etag", "../../x"}}).status().code(), Code::kIOError);
}

}  // namespace
}  // namespace nexus::fuse

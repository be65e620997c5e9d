#include "vfs/mime.h"

#include <gtest/gtest.h>

namespace nexus::vfs {
namespace {

TEST(MimeTest, KnownExtensionsAnyCase) {
  EXPECT_EQ(GuessMimeType("/a/SKILL.md"), "text/markdown");
  EXPECT_EQ(GuessMimeType("/a/data.JSON"), "application/json");
  EXPECT_EQ(GuessMimeType("/x.py"), "text/x-python");
}

TEST(MimeTest, UnknownOrMissingExtension) {
  EXPECT_EQ(GuessMimeType("/a/file"), "application/octet-stream");
  EXPECT_EQ(GuessMimeType("/a/file."), "application/octet-stream");
  EXPECT_EQ(GuessMimeType("/a/file.weird"), "application/octet-stream");
  EXPECT_EQ(GuessMimeType("/dir.md/file"), "application/octet-stream");
}

}  // namespace
}  // namespace nexus::vfs

#include "fuse/errno_mapping.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace nexus::fuse {
namespace {

TEST(ErrnoMappingTest, WhatToolsExpect) {
  EXPECT_EQ(ErrnoOf(Status::OK()), 0);
  EXPECT_EQ(ErrnoOf(NotFound("x")), ENOENT);
  EXPECT_EQ(ErrnoOf(AlreadyExists("x")), EEXIST);
  EXPECT_EQ(ErrnoOf(PermissionDenied("x")), EACCES);
  EXPECT_EQ(ErrnoOf(Status(Code::kUnauthenticated, "x")), EACCES);
  EXPECT_EQ(ErrnoOf(Status(Code::kIsADirectory, "x")), EISDIR);
  EXPECT_EQ(ErrnoOf(Status(Code::kNotADirectory, "x")), ENOTDIR);
  EXPECT_EQ(ErrnoOf(Status(Code::kDirectoryNotEmpty, "x")), ENOTEMPTY);
  EXPECT_EQ(ErrnoOf(InvalidPath("x")), EINVAL);
  EXPECT_EQ(ErrnoOf(Status(Code::kStorageFull, "x")), ENOSPC);
}

TEST(ErrnoMappingTest, AServerThatCannotBeReachedIsAnIoError) {
  EXPECT_EQ(ErrnoOf(Status(Code::kUnavailable, "connection refused")), EIO);
  EXPECT_EQ(ErrnoOf(Internal("x")), EIO);
}

}  // namespace
}  // namespace nexus::fuse

#include "sandbox/mount_stage.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace nexus::sandbox {
namespace {

class MountStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the stage is made by a root server";
    StatusOr<std::unique_ptr<MountStage>> stage = MountStage::Create();
    ASSERT_TRUE(stage.ok()) << stage.status().ToString();
    stage_ = std::move(*stage);
  }

  std::unique_ptr<MountStage> stage_;
};

TEST_F(MountStageTest, IsSearchableButNotListableAndGoesAway) {
  struct stat st;
  ASSERT_EQ(::lstat(stage_->path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0711u);
  EXPECT_EQ(st.st_uid, 0u);
  const std::string path = stage_->path();
  ASSERT_TRUE(stage_->MountPoint(0, true).ok());
  stage_.reset();
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

TEST_F(MountStageTest, MountPointsHaveTheSourcesKindAndAreReused) {
  StatusOr<std::string> dir = stage_->MountPoint(0, true);
  StatusOr<std::string> file = stage_->MountPoint(1, false);
  ASSERT_TRUE(dir.ok() && file.ok());
  struct stat st;
  ASSERT_EQ(::lstat(dir->c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_EQ(::lstat(file->c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(*stage_->MountPoint(0, true), *dir);  // another run, the same mount point
}

TEST_F(MountStageTest, APlantedSymlinkIsRefused) {
  ASSERT_EQ(::symlink("/usr/lib", (stage_->path() + "/dir-0").c_str()), 0);
  EXPECT_EQ(stage_->MountPoint(0, true).status().code(), Code::kPermissionDenied);
  ASSERT_EQ(::symlink("/etc/passwd", (stage_->path() + "/file-1").c_str()), 0);
  EXPECT_EQ(stage_->MountPoint(1, false).status().code(), Code::kPermissionDenied);
}

TEST_F(MountStageTest, AnEntryOwnedBySomeoneElseIsRefused) {
  const std::string path = stage_->path() + "/dir-2";
  ASSERT_EQ(::mkdir(path.c_str(), 0755), 0);
  ASSERT_EQ(::chown(path.c_str(), 12345, 12345), 0);
  EXPECT_EQ(stage_->MountPoint(2, true).status().code(), Code::kPermissionDenied);
}

}  // namespace
}  // namespace nexus::sandbox

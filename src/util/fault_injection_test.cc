#include "util/fault_injection.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace nexus {
namespace {

class FaultInjectionTest : public ::testing::Test {
 protected:
  void TearDown() override { ClearFaults(); }
};

std::vector<int> ErrnosOfHits(std::string_view point, int hits) {
  std::vector<int> out;
  for (int i = 0; i < hits; ++i) out.push_back(InjectedErrno(point));
  return out;
}

TEST_F(FaultInjectionTest, NoRulesNeverFails) {
  EXPECT_EQ(ErrnosOfHits("file.write", 3), (std::vector<int>{0, 0, 0}));
  EXPECT_TRUE(InjectedFault("sqlite.commit", "commit").ok());
}

TEST_F(FaultInjectionTest, NthHitOnly) {
  ASSERT_TRUE(SetFaults("file.write:2:ENOSPC").ok());
  EXPECT_EQ(ErrnosOfHits("file.write", 4), (std::vector<int>{0, ENOSPC, 0, 0}));
  EXPECT_EQ(ErrnosOfHits("file.fsync", 2), (std::vector<int>{0, 0}));  // other points untouched
}

TEST_F(FaultInjectionTest, FromNthOnAndEvery) {
  ASSERT_TRUE(SetFaults("file.fsync:3+:EIO,sqlite.commit:every:EDQUOT").ok());
  EXPECT_EQ(ErrnosOfHits("file.fsync", 4), (std::vector<int>{0, 0, EIO, EIO}));
  EXPECT_EQ(ErrnosOfHits("sqlite.commit", 2), (std::vector<int>{EDQUOT, EDQUOT}));
}

TEST_F(FaultInjectionTest, ProbabilityOneAlwaysFires) {
  ASSERT_TRUE(SetFaults("postgres.commit:p1:EROFS").ok());
  EXPECT_EQ(ErrnosOfHits("postgres.commit", 3), (std::vector<int>{EROFS, EROFS, EROFS}));
}

TEST_F(FaultInjectionTest, InjectedFaultMapsLikeARealError) {
  ASSERT_TRUE(SetFaults("dbblob.write:every:ENOSPC,file.rename:every:EIO").ok());
  const Status full = InjectedFault("dbblob.write", "store blob chunk");
  EXPECT_EQ(full.code(), Code::kStorageFull);
  EXPECT_NE(full.message().find("store blob chunk"), std::string::npos) << full.message();
  EXPECT_EQ(InjectedFault("file.rename", "rename x").code(), Code::kIOError);
}

TEST_F(FaultInjectionTest, BadSpecsAreRefusedAndKeepTheRulesInForce) {
  ASSERT_TRUE(SetFaults("file.write:every:ENOSPC").ok());
  for (const char* bad :
       {"file.write", "file.wrote:1:ENOSPC", "file.write:0:ENOSPC", "file.write:-1:ENOSPC",
        "file.write:x:ENOSPC", "file.write:1+:EPERM", "file.write:p0:EIO", "file.write:p1.5:EIO",
        "file.write:1:EIO:extra", "file.write:1:EIO,"}) {
    const Status s = SetFaults(bad);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("fault rule"), std::string::npos) << s.message();
  }
  EXPECT_EQ(InjectedErrno("file.write"), ENOSPC);
  ASSERT_TRUE(SetFaults("").ok());
  EXPECT_EQ(InjectedErrno("file.write"), 0);
}

TEST_F(FaultInjectionTest, EnvironmentIsReadWhenAsked) {
  ::setenv(kFaultsEnvVar, "file.dirsync:1:EIO", 1);
  ASSERT_TRUE(SetFaultsFromEnvironment().ok());
  EXPECT_EQ(InjectedErrno("file.dirsync"), EIO);
  ::setenv(kFaultsEnvVar, "nonsense", 1);
  const Status bad = SetFaultsFromEnvironment();
  EXPECT_EQ(bad.code(), Code::kInvalidArgument);
  EXPECT_NE(bad.message().find(kFaultsEnvVar), std::string::npos) << bad.message();
  ::unsetenv(kFaultsEnvVar);
  EXPECT_TRUE(SetFaultsFromEnvironment().ok());
}

}  // namespace
}  // namespace nexus

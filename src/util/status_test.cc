#include "util/status.h"

#include <gtest/gtest.h>

namespace nexus {
namespace {

StatusOr<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument("odd: " + std::to_string(n));
  return n / 2;
}

StatusOr<int> Quarter(int n) {
  ASSIGN_OR_RETURN(const int half, Half(n));
  ASSIGN_OR_RETURN(const int quarter, Half(half));
  return quarter;
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::OK().ok());
  EXPECT_EQ(Status::OK().ToString(), "OK");
  const Status s = NotFound("File not found: /x");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.ToString(), "NotFound: File not found: /x");
}

TEST(StatusTest, DetailsTravelWithCopies) {
  const Status s(Code::kConflict, "conflict", {{"expected_etag", "a"}, {"current_etag", "b"}});
  const Status copy = s;
  EXPECT_EQ(copy.detail("expected_etag"), "a");
  EXPECT_EQ(copy.detail("current_etag"), "b");
  EXPECT_EQ(copy.detail("absent"), "");
}

TEST(StatusTest, StatusOrPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  auto odd = Quarter(6);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(), "odd: 3");
}

Status FailsAt(int step, int fail_step, int* reached) {
  *reached = step;
  return step == fail_step ? IOError("step " + std::to_string(step)) : Status::OK();
}

Status Steps(int fail_step, int* reached) {
  for (int i = 0; i < 5; ++i) RETURN_IF_ERROR(FailsAt(i, fail_step, reached));
  return Status::OK();
}

TEST(StatusTest, ReturnIfErrorStopsAtTheFirstFailure) {
  int reached = -1;
  EXPECT_EQ(Steps(2, &reached).message(), "step 2");
  EXPECT_EQ(reached, 2);
  EXPECT_TRUE(Steps(9, &reached).ok());
  EXPECT_EQ(reached, 4);
}

}  // namespace
}  // namespace nexus

#include "util/background.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace nexus {
namespace {

// The counts are process-wide, so each test counts under names of its own.
uint64_t Errors(const std::string& thread) {
  const std::map<std::string, uint64_t> counts = BackgroundErrorCounts();
  const auto it = counts.find(thread);
  return it == counts.end() ? 0 : it->second;
}

TEST(BackgroundTest, ARoundThatReturnsIsNotCounted) {
  bool ran = false;
  EXPECT_TRUE(RunGuarded("test_quiet", [&] { ran = true; }));
  EXPECT_TRUE(ran);
  EXPECT_EQ(Errors("test_quiet"), 0u);
}

TEST(BackgroundTest, ExceptionsAreCaughtAndCountedByThread) {
  EXPECT_FALSE(RunGuarded("test_throws", [] { throw std::runtime_error("corrupt row"); }));
  EXPECT_FALSE(RunGuarded("test_throws", [] { throw 42; }));  // not a std::exception
  EXPECT_EQ(Errors("test_throws"), 2u);
  EXPECT_EQ(Errors("test_other"), 0u);
}

TEST(BackgroundTest, ReportedErrorsCountToo) {
  ReportBackgroundError("test_reports", "delivery dropped");
  EXPECT_EQ(Errors("test_reports"), 1u);
}

}  // namespace
}  // namespace nexus

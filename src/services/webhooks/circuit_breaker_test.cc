#include "services/webhooks/circuit_breaker.h"

#include <gtest/gtest.h>

namespace nexus::services {
namespace {

using std::chrono::milliseconds;

TEST(CircuitBreakerTest, OpensAtTheThresholdAndDoublesUpToTheCeiling) {
  const CircuitBreaker breaker;
  EXPECT_FALSE(breaker.IsOpen(9));
  EXPECT_EQ(breaker.PauseAfter(9), milliseconds(0));
  EXPECT_TRUE(breaker.IsOpen(10));
  EXPECT_EQ(breaker.PauseAfter(10), milliseconds(60000));
  EXPECT_EQ(breaker.PauseAfter(11), milliseconds(120000));
  EXPECT_EQ(breaker.PauseAfter(15), milliseconds(1920000));
  EXPECT_EQ(breaker.PauseAfter(16), milliseconds(3600000));
  EXPECT_EQ(breaker.PauseAfter(int64_t{1} << 40), milliseconds(3600000));
}

}  // namespace
}  // namespace nexus::services

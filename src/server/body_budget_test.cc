#include "server/body_budget.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace nexus::server {
namespace {

TEST(BodyBudgetTest, ReservesUpToCapacityAndNoFurther) {
  BodyBudget budget(100);
  EXPECT_TRUE(budget.TryReserve(60));
  EXPECT_FALSE(budget.TryReserve(41));
  EXPECT_EQ(budget.held(), 60u);  // a refusal holds nothing
  EXPECT_TRUE(budget.TryReserve(40));
  EXPECT_FALSE(budget.TryReserve(1));
  budget.Release(100);
  EXPECT_EQ(budget.held(), 0u);
  EXPECT_FALSE(budget.TryReserve(101));
}

TEST(BodyBudgetTest, ReservationGivesBackWhatItHolds) {
  BodyBudget budget(100);
  {
    BodyReservation reservation(budget);
    EXPECT_TRUE(reservation.Grow(30));
    EXPECT_TRUE(reservation.Grow(30));
    EXPECT_FALSE(reservation.Grow(50));
    EXPECT_EQ(reservation.bytes(), 60u);
    EXPECT_EQ(budget.held(), 60u);
    reservation.Release();
    EXPECT_EQ(budget.held(), 0u);
    reservation.Release();  // twice is harmless
    EXPECT_TRUE(reservation.Grow(10));
  }
  EXPECT_EQ(budget.held(), 0u);  // released on destruction
}

TEST(BodyBudgetTest, ConcurrentReservationsNeverExceedCapacity) {
  BodyBudget budget(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&budget] {
      for (int i = 0; i < 10000; ++i) {
        BodyReservation reservation(budget);
        if (reservation.Grow(300)) {
          EXPECT_LE(budget.held(), 1000u);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(budget.held(), 0u);
}

}  // namespace
}  // namespace nexus::server

#include "util/single_flight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

#include "testing/eventually.h"
#include "util/status.h"

namespace nexus {
namespace {

using test::Eventually;

TEST(SingleFlightTest, OverlappingCallsShareOneRun) {
  SingleFlight<StatusOr<int>> flights;
  std::atomic<int> runs{0};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto work = [&]() -> StatusOr<int> {
    released.wait();
    return ++runs * 10;
  };
  std::vector<std::future<StatusOr<int>>> calls;
  calls.push_back(std::async(std::launch::async, [&] { return flights.Do("k", work); }));
  // The first call runs the work (held until released); the others join it.
  ASSERT_TRUE(Eventually([&] { return flights.waiting() == 0; }));
  for (int i = 0; i < 3; ++i) {
    calls.push_back(std::async(std::launch::async, [&] { return flights.Do("k", work); }));
  }
  ASSERT_TRUE(Eventually([&] { return flights.waiting() == 3; }));
  release.set_value();
  for (auto& call : calls) {
    StatusOr<int> r = call.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, 10);
  }
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(flights.waiting(), 0);

  // Nothing is cached: the next call runs the work again.
  EXPECT_EQ(*flights.Do("k", work), 20);
  EXPECT_EQ(runs, 2);
}

TEST(SingleFlightTest, WaitersGetTheFailureToo) {
  SingleFlight<StatusOr<int>> flights;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> runs{0};
  auto failing = [&]() -> StatusOr<int> {
    ++runs;
    released.wait();
    return IOError("provider down");
  };
  auto leader = std::async(std::launch::async, [&] { return flights.Do("k", failing); });
  ASSERT_TRUE(Eventually([&] { return runs == 1; }));
  auto waiter = std::async(std::launch::async, [&] { return flights.Do("k", failing); });
  ASSERT_TRUE(Eventually([&] { return flights.waiting() == 1; }));
  release.set_value();
  EXPECT_EQ(leader.get().status().code(), Code::kIOError);
  EXPECT_EQ(waiter.get().status().code(), Code::kIOError);
  EXPECT_EQ(runs, 1);
}

TEST(SingleFlightTest, KeysFlyApart) {
  SingleFlight<int> flights;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> started{0};
  auto work = [&] {
    ++started;
    released.wait();
    return 1;
  };
  auto a = std::async(std::launch::async, [&] { return flights.Do("a", work); });
  auto b = std::async(std::launch::async, [&] { return flights.Do("b", work); });
  EXPECT_TRUE(Eventually([&] { return started == 2; }));  // neither waits for the other
  EXPECT_EQ(flights.waiting(), 0);
  release.set_value();
  EXPECT_EQ(a.get() + b.get(), 2);
}

}  // namespace
}  // namespace nexus

#include "server/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>

#include "util/background.h"

namespace nexus::server {
namespace {

using namespace std::chrono_literals;

TEST(WorkerPoolTest, RunsTasks) {
  WorkerPool pool(4, 100);
  std::atomic<int> done{0};
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.TrySubmit([&done] { ++done; }));
  pool.Shutdown();
  EXPECT_EQ(done.load(), 50);
}

TEST(WorkerPoolTest, RejectsWhenQueueFull) {
  WorkerPool pool(1, 1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.TrySubmit([&started, released] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the worker holds the first task: the queue is empty
  EXPECT_EQ(pool.QueueDepth(), 0u);
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_EQ(pool.QueueDepth(), 1u);
  EXPECT_FALSE(pool.TrySubmit([] {}));
  release.set_value();
  pool.Shutdown();
  EXPECT_EQ(pool.QueueDepth(), 0u);
}

TEST(WorkerPoolTest, ShutdownDrainsQueue) {
  WorkerPool pool(1, 10);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> done{0};
  ASSERT_TRUE(pool.TrySubmit([released] { released.wait(); }));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.TrySubmit([&done] { ++done; }));
  std::thread releaser([&release] {
    std::this_thread::sleep_for(50ms);
    release.set_value();
  });
  pool.Shutdown();
  releaser.join();
  EXPECT_EQ(done.load(), 5);
  EXPECT_FALSE(pool.TrySubmit([] {}));
  pool.Shutdown();  // idempotent
}

TEST(WorkerPoolTest, ThrowingTaskDoesNotKillWorker) {
  WorkerPool pool(1, 10);
  std::atomic<int> done{0};
  // Read before submitting: the worker may run the task before the next line does.
  const uint64_t before = BackgroundErrorCounts()["http_worker"];
  ASSERT_TRUE(pool.TrySubmit([] { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(pool.TrySubmit([&done] { ++done; }));
  pool.Shutdown();
  EXPECT_EQ(done.load(), 1);
  EXPECT_EQ(BackgroundErrorCounts()["http_worker"], before + 1) << "counted for /metrics";
}

}  // namespace
}  // namespace nexus::server

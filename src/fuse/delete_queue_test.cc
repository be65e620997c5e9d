#include "fuse/delete_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace nexus::fuse {
namespace {

TEST(DeleteQueueTest, AQueuedPathIsPendingUntilItsDeleteEnds) {
  Mutex mu;
  CondVar released;
  bool release = false;
  std::vector<std::string> done;
  DeleteQueue queue(
      [&](const std::string&) {
        MutexLock lock(&mu);
        released.Wait(&mu, [&]() REQUIRES(mu) { return release; });
        return Status::OK();
      },
      [&](const std::string& path) {
        MutexLock lock(&mu);
        done.push_back(path);
      },
      2);
  queue.Add("/a");
  EXPECT_TRUE(queue.Pending("/a"));
  EXPECT_FALSE(queue.Pending("/b"));
  {
    MutexLock lock(&mu);
    release = true;
    released.SignalAll();
  }
  queue.Drain();
  EXPECT_FALSE(queue.Pending("/a"));
  MutexLock lock(&mu);
  EXPECT_EQ(done, std::vector<std::string>{"/a"});
}

TEST(DeleteQueueTest, DrainWaitsForEveryDeleteAndTheyRunConcurrently) {
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<int> deleted{0};
  DeleteQueue queue(
      [&](const std::string&) {
        const int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        --running;
        ++deleted;
        return Status::OK();
      },
      [](const std::string&) {}, 4);
  for (int i = 0; i < 40; ++i) queue.Add("/f" + std::to_string(i));
  queue.Drain();
  EXPECT_EQ(deleted.load(), 40);
  EXPECT_GT(most.load(), 1);
}

TEST(DeleteQueueTest, ARefusedDeleteEndsAndThePathIsNoLongerPending) {
  DeleteQueue queue([](const std::string&) { return PermissionDenied("no"); },
                    [](const std::string&) {}, 1);
  queue.Add("/x");
  queue.Drain();
  EXPECT_FALSE(queue.Pending("/x"));
}

TEST(DeleteQueueTest, DroppingAQueueSendsWhatWasQueued) {
  std::atomic<int> deleted{0};
  {
    DeleteQueue queue(
        [&](const std::string&) {
          ++deleted;
          return Status::OK();
        },
        [](const std::string&) {}, 2);
    for (int i = 0; i < 10; ++i) queue.Add("/f" + std::to_string(i));
  }
  EXPECT_EQ(deleted.load(), 10);
}

}  // namespace
}  // namespace nexus::fuse

#include "util/mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "util/thread_annotations.h"

namespace nexus {
namespace {

using namespace std::chrono_literals;

struct Counter {
  Mutex mu;
  CondVar changed;
  int value GUARDED_BY(mu) = 0;

  void Add() {
    MutexLock lock(&mu);
    ++value;
    changed.SignalAll();
  }
  int Get() {
    MutexLock lock(&mu);
    return value;
  }
};

TEST(MutexTest, MutexLockExcludesOtherHolders) {
  Counter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) counter.Add();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(counter.Get(), 40000);
}

TEST(MutexTest, WaitReturnsOnceThePredicateHolds) {
  Counter counter;
  std::thread adder([&] {
    for (int i = 0; i < 3; ++i) counter.Add();
  });
  {
    MutexLock lock(&counter.mu);
    counter.changed.Wait(&counter.mu, [&]() REQUIRES(counter.mu) { return counter.value == 3; });
    EXPECT_EQ(counter.value, 3);
  }
  adder.join();
}

TEST(MutexTest, WaitForSaysWhetherThePredicateHeldInTime) {
  Counter counter;
  MutexLock lock(&counter.mu);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(counter.changed.WaitFor(&counter.mu, 20ms,
                                       [&]() REQUIRES(counter.mu) { return counter.value > 0; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  counter.value = 1;
  EXPECT_TRUE(counter.changed.WaitFor(&counter.mu, 0ms,
                                      [&]() REQUIRES(counter.mu) { return counter.value > 0; }));
}

TEST(MutexTest, AThrowingPredicateLeavesTheMutexToItsLock) {
  Counter counter;
  {
    MutexLock lock(&counter.mu);
    EXPECT_THROW(counter.changed.Wait(&counter.mu, []() -> bool { throw std::runtime_error("x"); }),
                 std::runtime_error);
  }
  EXPECT_EQ(counter.Get(), 0) << "unlocked once, by the MutexLock";
}

TEST(MutexTest, ReadersShareAndWritersExclude) {
  SharedMutex mu;
  std::atomic<bool> second_reader_in{false};
  {
    ReaderMutexLock first(&mu);
    std::thread second([&] {
      ReaderMutexLock lock(&mu);
      second_reader_in = true;
    });
    second.join();  // would hang if readers excluded each other
  }
  EXPECT_TRUE(second_reader_in);
  std::atomic<bool> writer_in{false};
  std::thread writer;
  {
    ReaderMutexLock reader(&mu);
    writer = std::thread([&] {
      MutexLock lock(&mu);
      writer_in = true;
    });
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(writer_in) << "the writer waits for the reader";
  }
  writer.join();
  EXPECT_TRUE(writer_in);
}

}  // namespace
}  // namespace nexus

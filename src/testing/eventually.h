// Waiting in tests for what another thread will do, without guessing how long it takes.
#ifndef NEXUS_TESTING_EVENTUALLY_H_
#define NEXUS_TESTING_EVENTUALLY_H_

#include <chrono>
#include <functional>
#include <thread>

namespace nexus::test {

// Whether `condition` came to hold within `timeout`, looking every millisecond.
inline bool Eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace nexus::test

#endif  // NEXUS_TESTING_EVENTUALLY_H_

// Calls with equal keys that overlap in time share one run of the work: the first caller
// runs it, the others wait for it and get its result, success or failure. A call that starts
// after the run ended runs the work again: this removes duplicate concurrent work, it caches
// nothing.
//
// Thread-safe. The work runs on the calling thread without the lock held.
#ifndef NEXUS_UTIL_SINGLE_FLIGHT_H_
#define NEXUS_UTIL_SINGLE_FLIGHT_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace nexus {

template <typename Result>
class SingleFlight {
 public:
  Result Do(const std::string& key, const std::function<Result()>& work) {
    std::unique_lock<std::mutex> lock(mu_);
    auto [it, first] = flights_.try_emplace(key);
    if (!first) return Await(lock, it->second);
    const std::shared_ptr<Flight> flight = it->second = std::make_shared<Flight>();
    lock.unlock();
    Result result = work();
    lock.lock();
    flight->result = result;
    flights_.erase(key);  // later calls run the work afresh
    landed_.notify_all();
    return result;
  }

  // Callers now waiting for another's run.
  int waiting() const {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_;
  }

 private:
  struct Flight {
    std::optional<Result> result;  // GUARDED_BY(mu_); set when the run ends
  };

  Result Await(std::unique_lock<std::mutex>& lock, std::shared_ptr<Flight> flight) {
    ++waiting_;
    landed_.wait(lock, [&] { return flight->result.has_value(); });
    --waiting_;
    return *flight->result;
  }

  mutable std::mutex mu_;
  std::condition_variable landed_;                                    // signalled when a run ends
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;  // GUARDED_BY(mu_)
  int waiting_ = 0;                                                   // GUARDED_BY(mu_)
};

}  // namespace nexus

#endif  // NEXUS_UTIL_SINGLE_FLIGHT_H_

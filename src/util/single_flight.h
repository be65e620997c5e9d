// Calls with equal keys that overlap in time share one run of the work: the first caller
// runs it, the others wait for it and get its result, success or failure. A call that starts
// after the run ended runs the work again: this removes duplicate concurrent work, it caches
// nothing.
//
// Thread-safe. The work runs on the calling thread without the lock held.
#ifndef NEXUS_UTIL_SINGLE_FLIGHT_H_
#define NEXUS_UTIL_SINGLE_FLIGHT_H_

#include <exception>
#include <functional>
#include <future>
#include <string>
#include <unordered_map>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus {

template <typename Result>
class SingleFlight {
 public:
  Result Do(const std::string& key, const std::function<Result()>& work) EXCLUDES(mu_) {
    std::promise<Result> run;
    std::shared_future<Result> other;  // set when another caller's run is in flight
    {
      MutexLock lock(&mu_);
      auto [it, first] = flights_.try_emplace(key);
      if (first) {
        it->second = run.get_future().share();
      } else {
        other = it->second;
        ++waiting_;
      }
    }
    if (other.valid()) return Await(other);
    try {
      Result result = work();
      Land(key);
      run.set_value(result);
      return result;
    } catch (...) {
      // The waiters rethrow it, and the key is free for a fresh run.
      Land(key);
      run.set_exception(std::current_exception());
      throw;
    }
  }

  // Callers now waiting for another's run.
  int waiting() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return waiting_;
  }

 private:
  // A shared_future holds each run's result, so that waiters still holding it after the run
  // left flights_ read it without the lock.
  Result Await(const std::shared_future<Result>& run) EXCLUDES(mu_) {
    run.wait();
    {
      MutexLock lock(&mu_);
      --waiting_;
    }
    return run.get();
  }

  // Later calls run the work afresh.
  void Land(const std::string& key) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    flights_.erase(key);
  }

  mutable Mutex mu_;
  std::unordered_map<std::string, std::shared_future<Result>> flights_ GUARDED_BY(mu_);
  int waiting_ GUARDED_BY(mu_) = 0;
};

}  // namespace nexus

#endif  // NEXUS_UTIL_SINGLE_FLIGHT_H_

// Mutex, SharedMutex and CondVar: the standard library's locks, annotated so that Clang's
// thread-safety analysis (util/thread_annotations.h) checks every GUARDED_BY member.
//
//   Mutex mu_;
//   CondVar changed_;
//   bool ready_ GUARDED_BY(mu_) = false;
//
//   void SetReady() EXCLUDES(mu_) {
//     MutexLock lock(&mu_);
//     ready_ = true;
//     changed_.SignalAll();
//   }
//   void AwaitReady() EXCLUDES(mu_) {
//     MutexLock lock(&mu_);
//     changed_.Wait(&mu_, [this]() REQUIRES(mu_) { return ready_; });
//   }
//
// A predicate runs with the lock held; annotating its lambda REQUIRES(mu_) lets the analysis
// check what it reads (without the annotation it reports the reads as unguarded).
#ifndef NEXUS_UTIL_MUTEX_H_
#define NEXUS_UTIL_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "util/thread_annotations.h"

namespace nexus {

// Neither copyable nor movable, like the std::mutex inside.
class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;  // waits on the std::mutex itself
  std::mutex mu_;
};

// A reader-writer lock: many readers or one writer.
class CAPABILITY("shared mutex") SharedMutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void ReaderLock() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void ReaderUnlock() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds a Mutex, or a SharedMutex exclusively, for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu->Lock(); }
  explicit MutexLock(SharedMutex* mu) ACQUIRE(mu) : shared_(mu) { mu->Lock(); }
  ~MutexLock() RELEASE() {
    if (mu_ != nullptr) {
      mu_->Unlock();
    } else {
      shared_->Unlock();
    }
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_ = nullptr;
  SharedMutex* const shared_ = nullptr;
};

// Holds a SharedMutex shared for its scope.
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex* mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_->ReaderLock(); }
  ~ReaderMutexLock() RELEASE() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// A condition variable used with a Mutex the caller holds. Each wait releases the mutex while
// it blocks and holds it again when it returns, as std::condition_variable does.
class CondVar {
 public:
  // Until Signal or SignalAll (or a spurious wakeup).
  void Wait(Mutex* mu) REQUIRES(mu) {
    Adopted held(mu);
    cv_.wait(held.lock);
  }

  // Until ready() is true; ready runs with `mu` held.
  template <typename Predicate>
  void Wait(Mutex* mu, Predicate ready) REQUIRES(mu) {
    Adopted held(mu);
    cv_.wait(held.lock, std::move(ready));
  }

  // Until ready() is true or `timeout` has passed; ready()'s last value.
  template <typename Rep, typename Period, typename Predicate>
  bool WaitFor(Mutex* mu, std::chrono::duration<Rep, Period> timeout, Predicate ready)
      REQUIRES(mu) {
    Adopted held(mu);
    return cv_.wait_for(held.lock, timeout, std::move(ready));
  }

  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  // The caller's lock as the std::unique_lock that std::condition_variable wants, handed
  // back still held on every exit, a throwing predicate included, so the caller's MutexLock
  // stays the one that unlocks.
  struct Adopted {
    explicit Adopted(Mutex* mu) : lock(mu->mu_, std::adopt_lock) {}
    ~Adopted() { lock.release(); }
    std::unique_lock<std::mutex> lock;
  };

  std::condition_variable cv_;
};

}  // namespace nexus

#endif  // NEXUS_UTIL_MUTEX_H_

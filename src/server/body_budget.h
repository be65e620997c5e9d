// A bound on the bytes of request bodies held in memory at once, across all connections
// (issue 15): a large body is charged before it is read and until its response is produced,
// so a flood of large requests turns into 503 answers instead of exhausting memory.
#ifndef NEXUS_SERVER_BODY_BUDGET_H_
#define NEXUS_SERVER_BODY_BUDGET_H_

#include <atomic>
#include <cstddef>

namespace nexus::server {

// Thread-safe and lock-free: connections on every I/O thread charge it.
class BodyBudget {
 public:
  explicit BodyBudget(size_t capacity) : capacity_(capacity) {}
  BodyBudget(const BodyBudget&) = delete;
  BodyBudget& operator=(const BodyBudget&) = delete;

  size_t capacity() const { return capacity_; }
  size_t held() const { return held_.load(std::memory_order_relaxed); }

  // Holds `bytes` more when they fit in what is left; false (and nothing held) otherwise.
  bool TryReserve(size_t bytes);
  void Release(size_t bytes);

 private:
  const size_t capacity_;
  std::atomic<size_t> held_{0};
};

// What one request holds of a BodyBudget, given back by Release or on destruction. Used
// from one thread at a time (a connection's strand).
class BodyReservation {
 public:
  explicit BodyReservation(BodyBudget& budget) : budget_(budget) {}
  ~BodyReservation() { Release(); }
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;

  size_t bytes() const { return bytes_; }

  // Holds `bytes` more when the budget has room; false (and nothing more held) otherwise.
  bool Grow(size_t bytes);

  // Inline: every response calls it, and most requests hold nothing.
  void Release() {
    if (bytes_ == 0) return;
    budget_.Release(bytes_);
    bytes_ = 0;
  }

 private:
  BodyBudget& budget_;
  size_t bytes_ = 0;
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_BODY_BUDGET_H_

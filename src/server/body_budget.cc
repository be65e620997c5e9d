#include "server/body_budget.h"

namespace nexus::server {

bool BodyBudget::TryReserve(size_t bytes) {
  size_t held = held_.load(std::memory_order_relaxed);
  do {
    if (bytes > capacity_ - held) return false;
  } while (!held_.compare_exchange_weak(held, held + bytes, std::memory_order_relaxed));
  return true;
}

void BodyBudget::Release(size_t bytes) { held_.fetch_sub(bytes, std::memory_order_relaxed); }

bool BodyReservation::Grow(size_t bytes) {
  if (!budget_.TryReserve(bytes)) return false;
  bytes_ += bytes;
  return true;
}

}  // namespace nexus::server

#include "services/webhooks/circuit_breaker.h"

#include <algorithm>

namespace nexus::services {

std::chrono::milliseconds CircuitBreaker::PauseAfter(int64_t failed_attempts) const {
  if (!IsOpen(failed_attempts)) return std::chrono::milliseconds(0);
  std::chrono::milliseconds pause = cooldown;
  // Doubling stops at the ceiling, so a receiver dead for months does not overflow it.
  for (int64_t i = threshold; i < failed_attempts && pause < max_cooldown; ++i) pause *= 2;
  return std::min(pause, max_cooldown);
}

}  // namespace nexus::services

// The circuit breaker of a webhook subscription: after `threshold` consecutive failed
// attempts its deliveries are postponed for a cool-down instead of attempted, so a dead
// receiver costs one attempt (the probe) per cool-down rather than one per event. Each
// further failed probe doubles the cool-down, up to `max_cooldown`; a success closes it.
#ifndef NEXUS_SERVICES_WEBHOOKS_CIRCUIT_BREAKER_H_
#define NEXUS_SERVICES_WEBHOOKS_CIRCUIT_BREAKER_H_

#include <chrono>
#include <cstdint>

namespace nexus::services {

struct CircuitBreaker {
  int64_t threshold = 10;
  std::chrono::milliseconds cooldown{60000};
  std::chrono::milliseconds max_cooldown{3600000};

  // Whether a subscription with `failed_attempts` gets only a probe.
  bool IsOpen(int64_t failed_attempts) const { return failed_attempts >= threshold; }
  // How long deliveries wait after `failed_attempts` consecutive failures (0: not at all).
  std::chrono::milliseconds PauseAfter(int64_t failed_attempts) const;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WEBHOOKS_CIRCUIT_BREAKER_H_

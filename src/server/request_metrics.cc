#include "server/request_metrics.h"

#include <array>

namespace nexus::server {

std::string RouteLabel(std::string_view path) {
  static constexpr std::array<std::string_view, 3> kPrefixes = {"/api/nfs", "/api/subscriptions",
                                                                "/auth"};
  static constexpr std::array<std::string_view, 3> kExact = {"/health", "/metrics",
                                                             "/api/auth/whoami"};
  for (const std::string_view prefix : kPrefixes) {
    if (path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/')) {
      return std::string(prefix);
    }
  }
  for (const std::string_view exact : kExact) {
    if (path == exact) return std::string(exact);
  }
  return "other";
}

void RecordRequest(Metrics& metrics, std::string_view path, int status, double seconds) {
  const std::string route = RouteLabel(path);
  metrics.IncrementCounter(kRequestsTotal, "HTTP requests answered, by route and status.",
                           {{"route", route}, {"status", std::to_string(status)}});
  metrics.ObserveHistogram(kRequestDuration,
                           "Time from a request's arrival to its response being ready.",
                           {{"route", route}}, seconds);
}

}  // namespace nexus::server

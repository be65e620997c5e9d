#include "server/request_metrics.h"

#include <string>

namespace nexus::server {
namespace {

constexpr std::string_view kRequestsHelp = "HTTP requests answered, by route and status.";
constexpr std::string_view kDurationHelp =
    "Time from a request's arrival to its response being ready.";

// Prefix routes first, then exact ones, then "other"; an index into it names a route.
constexpr size_t kPrefixRoutes = 3;
constexpr std::array<std::string_view, 7> kRoutes = {
    "/api/nfs", "/api/subscriptions", "/auth", "/health", "/metrics", "/api/auth/whoami", "other"};
constexpr size_t kOtherRoute = kRoutes.size() - 1;

size_t RouteIndex(std::string_view path) {
  for (size_t i = 0; i < kPrefixRoutes; ++i) {
    const std::string_view prefix = kRoutes[i];
    if (path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/')) {
      return i;
    }
  }
  for (size_t i = kPrefixRoutes; i < kOtherRoute; ++i) {
    if (path == kRoutes[i]) return i;
  }
  return kOtherRoute;
}

// The cached series in `slot`, looked up with `lookup` on first use. Two threads may both
// look it up; the registry hands both the same series.
template <typename Lookup>
Metrics::Series* Cached(std::atomic<Metrics::Series*>& slot, Lookup lookup) {
  Metrics::Series* series = slot.load(std::memory_order_acquire);
  if (series == nullptr) {
    series = lookup();
    slot.store(series, std::memory_order_release);
  }
  return series;
}

}  // namespace

std::string_view RouteLabel(std::string_view path) { return kRoutes[RouteIndex(path)]; }

RequestMetrics::RequestMetrics(Metrics& metrics) : metrics_(metrics) {
  static_assert(kRoutes.size() == kRouteCount);
}

Metrics::Series* RequestMetrics::Requests(size_t route, int status) {
  auto lookup = [&] {
    return metrics_.CounterSeries(
        kRequestsTotal, kRequestsHelp,
        {{"route", std::string(kRoutes[route])}, {"status", std::to_string(status)}});
  };
  if (status < kMinCachedStatus || status > kMaxCachedStatus) return lookup();
  return Cached(routes_[route].requests[status - kMinCachedStatus], lookup);
}

Metrics::Series* RequestMetrics::Duration(size_t route) {
  return Cached(routes_[route].duration, [&] {
    return metrics_.HistogramSeries(kRequestDuration, kDurationHelp,
                                    {{"route", std::string(kRoutes[route])}});
  });
}

void RequestMetrics::Record(std::string_view path, int status, double seconds) {
  const size_t route = RouteIndex(path);
  // Null only when another part of the program took these names for another metric type.
  if (Metrics::Series* requests = Requests(route, status)) requests->Add(1);
  if (Metrics::Series* duration = Duration(route)) duration->Observe(seconds);
}

}  // namespace nexus::server

// The HTTP-level metrics every request produces: a counter by route and status and a
// latency histogram by route. RPC methods are counted by the rpc layer, not here.
#ifndef NEXUS_SERVER_REQUEST_METRICS_H_
#define NEXUS_SERVER_REQUEST_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <string_view>

#include "server/metrics.h"

namespace nexus::server {

inline constexpr std::string_view kRequestsTotal = "nexus_http_requests_total";
inline constexpr std::string_view kRequestDuration = "nexus_http_request_duration_seconds";
inline constexpr std::string_view kWorkerQueueDepth = "nexus_worker_queue_depth";
inline constexpr std::string_view kOpenConnections = "nexus_http_open_connections";
inline constexpr std::string_view kBodyMemoryHeld = "nexus_http_body_memory_bytes";
inline constexpr std::string_view kBackgroundErrors = "nexus_background_errors_total";

// The route label for a request path. Paths under /api/nfs/, /api/subscriptions/ and
// /auth/ collapse to their prefix; /health, /metrics and /api/auth/whoami keep their path;
// anything else is "other". A fixed set keeps the series count bounded whatever paths
// clients (or scanners) send.
std::string_view RouteLabel(std::string_view path);

// Counts answered requests into a Metrics registry. Every request pays for this, so each
// (route, status) series is looked up in the registry once, on first use, and then
// updated through a cached pointer: no label strings, no registry lock.
class RequestMetrics {
 public:
  // `metrics` must outlive this.
  explicit RequestMetrics(Metrics& metrics);
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // Counts one answered request and records its latency. Thread-safe.
  void Record(std::string_view path, int status, double seconds);

 private:
  // Statuses with a cached counter; others (only a handler bug sends them) are looked up
  // each time.
  static constexpr int kMinCachedStatus = 100;
  static constexpr int kMaxCachedStatus = 599;
  static constexpr size_t kRouteCount = 7;

  struct RouteSeries {
    std::atomic<Metrics::Series*> duration{nullptr};
    std::array<std::atomic<Metrics::Series*>, kMaxCachedStatus - kMinCachedStatus + 1> requests{};
  };

  Metrics::Series* Requests(size_t route, int status);
  Metrics::Series* Duration(size_t route);

  Metrics& metrics_;
  std::array<RouteSeries, kRouteCount> routes_;
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_REQUEST_METRICS_H_

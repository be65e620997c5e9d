// The HTTP-level metrics every request produces: a counter by route and status and a
// latency histogram by route. RPC methods are counted by the rpc layer, not here.
#ifndef NEXUS_SERVER_REQUEST_METRICS_H_
#define NEXUS_SERVER_REQUEST_METRICS_H_

#include <string>
#include <string_view>

#include "server/metrics.h"

namespace nexus::server {

inline constexpr std::string_view kRequestsTotal = "nexus_http_requests_total";
inline constexpr std::string_view kRequestDuration = "nexus_http_request_duration_seconds";
inline constexpr std::string_view kWorkerQueueDepth = "nexus_worker_queue_depth";
inline constexpr std::string_view kOpenConnections = "nexus_http_open_connections";

// The route label for a request path. Paths under /api/nfs/, /api/subscriptions/ and
// /auth/ collapse to their prefix; /health, /metrics and /api/auth/whoami keep their path;
// anything else is "other". A fixed set keeps the series count bounded whatever paths
// clients (or scanners) send.
std::string RouteLabel(std::string_view path);

// Counts one answered request and records its latency.
void RecordRequest(Metrics& metrics, std::string_view path, int status, double seconds);

}  // namespace nexus::server

#endif  // NEXUS_SERVER_REQUEST_METRICS_H_

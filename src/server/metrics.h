// A small thread-safe metrics registry rendered in the Prometheus text format (0.0.4).
//
// Families are created on first use, so callers name a metric where they count it and
// need no registration step. A name keeps the type and help text of its first use; a later
// use with another type is ignored (a programming error, but not worth a crash).
#ifndef NEXUS_SERVER_METRICS_H_
#define NEXUS_SERVER_METRICS_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

namespace nexus::server {

class Metrics {
 public:
  // Label name → value. A std::map so a label set has one canonical order.
  using Labels = std::map<std::string, std::string>;

  // Upper bounds (seconds) of the latency histogram buckets: 0.5 ms … 10 s, then +Inf.
  static std::span<const double> LatencyBuckets();

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Adds `delta` to the counter `name{labels}`.
  void IncrementCounter(std::string_view name, std::string_view help, const Labels& labels = {},
                        double delta = 1);

  // Records `value` in the histogram `name{labels}` with the LatencyBuckets() bounds.
  void ObserveHistogram(std::string_view name, std::string_view help, const Labels& labels,
                        double value);

  // A gauge whose value `read` computes at render time (queue depth, store counters).
  // Replaces an earlier callback of that name. `read` runs on the rendering thread without
  // the registry lock (it may count metrics itself) but must not add or remove gauges.
  void AddGaugeCallback(std::string_view name, std::string_view help, std::function<double()> read);
  // Once this returns, the callback is not running and never runs again, so the state it
  // captured may be destroyed.
  void RemoveGaugeCallback(std::string_view name);

  // Every family, sorted by name, each with its # HELP and # TYPE lines.
  std::string RenderPrometheus() const;

 private:
  enum class Type { kCounter, kHistogram, kGauge };
  struct Series;
  struct Family;

  // The family `name` of `type`, created when new; null when `name` is taken by another type
  // or is not a valid metric name. Requires mu_.
  Family* FamilyFor(std::string_view name, std::string_view help, Type type);

  // Held while gauge callbacks run and while gauges are replaced or removed. Lock order:
  // render_mu_ before mu_.
  mutable std::mutex render_mu_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // GUARDED_BY(mu_)
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_METRICS_H_

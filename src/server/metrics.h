// A small thread-safe metrics registry rendered in the Prometheus text format (0.0.4).
//
// Families are created on first use, so callers name a metric where they count it and
// need no registration step. A name keeps the type and help text of its first use; a later
// use with another type is ignored (a programming error, but not worth a crash).
#ifndef NEXUS_SERVER_METRICS_H_
#define NEXUS_SERVER_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::server {

class Metrics {
 public:
  // Label name → value. A std::map so a label set has one canonical order.
  using Labels = std::map<std::string, std::string>;

  // One labelled series of a counter or a histogram. It lives as long as the registry and
  // is updated with atomics, without the registry lock: a caller on a hot path (the
  // per-request HTTP metrics) looks it up once and then counts without building labels.
  class Series {
   public:
    Series() = default;
    Series(const Series&) = delete;
    Series& operator=(const Series&) = delete;

    void Add(double delta);      // a counter series
    void Observe(double value);  // a histogram series: its bucket, the sum and the count

   private:
    friend class Metrics;
    std::atomic<double> value_{0};  // counters; histograms: the sum
    std::atomic<uint64_t> count_{0};
    // Histograms only: per LatencyBuckets() bound, not cumulative.
    std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  };

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

  // The series `name{labels}` of a counter or a histogram, created when new (it then shows
  // in the output with a zero value); null when `name` is taken by another type or either
  // is invalid. Valid as long as the registry.
  Series* CounterSeries(std::string_view name, std::string_view help, const Labels& labels);
  Series* HistogramSeries(std::string_view name, std::string_view help, const Labels& labels);

  // A gauge whose value `read` computes at render time (queue depth, store counters).
  // Replaces an earlier callback of that name. `read` runs on the rendering thread without
  // the registry lock (it may count metrics itself) but must not add or remove gauges.
  void AddGaugeCallback(std::string_view name, std::string_view help, std::function<double()> read);
  // Labelled values computed at render time.
  using Samples = std::vector<std::pair<Labels, double>>;
  // A counter whose series `read` computes at render time, for counts kept outside the
  // registry (the background errors of util/background.h); otherwise as AddGaugeCallback.
  void AddCounterCallback(std::string_view name, std::string_view help,
                          std::function<Samples()> read);
  // Once this returns, the callback is not running and never runs again, so the state it
  // captured may be destroyed.
  void RemoveGaugeCallback(std::string_view name);

  // Every family, sorted by name, each with its # HELP and # TYPE lines.
  std::string RenderPrometheus() const;

 private:
  // kCounterCallback: a counter rendered from a callback, not from series.
  enum class Type { kCounter, kHistogram, kGauge, kCounterCallback };
  struct Family;

  // The family `name` of `type`, created when new; null when `name` is taken by another type
  // or is not a valid metric name.
  Family* FamilyFor(std::string_view name, std::string_view help, Type type) REQUIRES(mu_);
  Series* SeriesFor(std::string_view name, std::string_view help, Type type, const Labels& labels)
      EXCLUDES(mu_);
  void AddCallback(std::string_view name, std::string_view help, Type type,
                   std::function<Samples()> read) EXCLUDES(render_mu_, mu_);
  // The sample lines of a counter or histogram family.
  static void AppendSeries(std::string_view name, const Family& family, std::string* out);

  // Held while gauge callbacks run and while gauges are replaced or removed. Lock order:
  // render_mu_ before mu_.
  mutable Mutex render_mu_ ACQUIRED_BEFORE(mu_);
  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_ GUARDED_BY(mu_);
};

}  // namespace nexus::server

#endif  // NEXUS_SERVER_METRICS_H_

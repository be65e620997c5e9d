#include "server/metrics.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <iostream>
#include <vector>

namespace nexus::server {
namespace {

constexpr std::array<double, 14> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,    0.25,  0.5,    1,     2.5,  5,     10};

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

bool IsValidName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  for (const char c : name) {
    if (!IsNameStart(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Label names follow the metric name rule minus ':'.
bool IsValidLabelName(std::string_view name) {
  return IsValidName(name) && name.find(':') == std::string_view::npos;
}

bool AreValidLabels(const Metrics::Labels& labels) {
  for (const auto& [name, value] : labels) {
    if (!IsValidLabelName(name) || name == "le") return false;  // "le" belongs to buckets
  }
  return true;
}

std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Shortest round-trip digits; plain decimals in the usual range ("0.0005", not "5e-04").
  const double magnitude = std::fabs(value);
  const bool plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e15);
  const auto result =
      std::to_chars(buf, buf + sizeof(buf), value,
                    plain ? std::chars_format::fixed : std::chars_format::scientific);
  return std::string(buf, result.ptr);
}

// HELP text escapes backslash and newline; label values also escape the double quote.
std::string Escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// {a="x",b="y"} with an optional extra label appended (le for buckets); "" when empty.
std::string FormatLabels(const Metrics::Labels& labels, std::string_view extra_name = {},
                         std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  auto append = [&](std::string_view name, std::string_view value) {
    if (!first) out.push_back(',');
    first = false;
    out.append(name);
    out += "=\"";
    out += Escape(value, /*quote=*/true);
    out.push_back('"');
  };
  for (const auto& [name, value] : labels) append(name, value);
  if (!extra_name.empty()) append(extra_name, extra_value);
  out.push_back('}');
  return out;
}

}  // namespace

struct Metrics::Family {
  Type type;
  std::string help;
  std::map<Labels, Series> series;
  std::function<Samples()> read;  // gauges and callback counters
};

void Metrics::Series::Add(double delta) { value_.fetch_add(delta); }

void Metrics::Series::Observe(double value) {
  // The count goes first and RenderPrometheus reads it last, so a render racing with this
  // never shows a bucket above the +Inf bucket (the count).
  count_.fetch_add(1);
  value_.fetch_add(value);
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (value <= kLatencyBuckets[i]) {
      buckets_[i].fetch_add(1);
      break;
    }
  }
}

std::span<const double> Metrics::LatencyBuckets() { return kLatencyBuckets; }

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Family* Metrics::FamilyFor(std::string_view name, std::string_view help, Type type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    if (!IsValidName(name)) return nullptr;
    auto family = std::make_unique<Family>();
    family->type = type;
    family->help = std::string(help);
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  return it->second->type == type ? it->second.get() : nullptr;
}

Metrics::Series* Metrics::SeriesFor(std::string_view name, std::string_view help, Type type,
                                    const Labels& labels) {
  if (!AreValidLabels(labels)) return nullptr;
  MutexLock lock(&mu_);
  Family* family = FamilyFor(name, help, type);
  if (family == nullptr) return nullptr;
  Series& series = family->series.try_emplace(labels).first->second;
  if (type == Type::kHistogram && !series.buckets_) {
    series.buckets_ = std::make_unique<std::atomic<uint64_t>[]>(kLatencyBuckets.size());
  }
  return &series;
}

Metrics::Series* Metrics::CounterSeries(std::string_view name, std::string_view help,
                                        const Labels& labels) {
  return SeriesFor(name, help, Type::kCounter, labels);
}

Metrics::Series* Metrics::HistogramSeries(std::string_view name, std::string_view help,
                                          const Labels& labels) {
  return SeriesFor(name, help, Type::kHistogram, labels);
}

void Metrics::IncrementCounter(std::string_view name, std::string_view help, const Labels& labels,
                               double delta) {
  if (Series* series = CounterSeries(name, help, labels)) series->Add(delta);
}

void Metrics::ObserveHistogram(std::string_view name, std::string_view help, const Labels& labels,
                               double value) {
  if (Series* series = HistogramSeries(name, help, labels)) series->Observe(value);
}

void Metrics::AddGaugeCallback(std::string_view name, std::string_view help,
                               std::function<double()> read) {
  AddCallback(name, help, Type::kGauge, [read = std::move(read)] {
    return Samples{{Labels{}, read ? read() : 0}};
  });
}

void Metrics::AddCounterCallback(std::string_view name, std::string_view help,
                                 std::function<Samples()> read) {
  AddCallback(name, help, Type::kCounterCallback, std::move(read));
}

void Metrics::AddCallback(std::string_view name, std::string_view help, Type type,
                          std::function<Samples()> read) {
  MutexLock render_lock(&render_mu_);
  MutexLock lock(&mu_);
  Family* family = FamilyFor(name, help, type);
  if (family == nullptr) return;
  family->help = std::string(help);
  family->read = std::move(read);
}

void Metrics::RemoveGaugeCallback(std::string_view name) {
  MutexLock render_lock(&render_mu_);
  MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it != families_.end() && it->second->type == Type::kGauge) families_.erase(it);
}

void Metrics::AppendSeries(std::string_view name, const Family& family, std::string* out) {
  for (const auto& [labels, series] : family.series) {
    if (family.type == Type::kCounter) {
      *out += std::string(name) + FormatLabels(labels) + " " + FormatNumber(series.value_) + "\n";
      continue;
    }
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += series.buckets_[i];
      *out += std::string(name) + "_bucket" +
              FormatLabels(labels, "le", FormatNumber(kLatencyBuckets[i])) + " " +
              std::to_string(cumulative) + "\n";
    }
    const double sum = series.value_;
    const uint64_t count = series.count_;
    *out += std::string(name) + "_bucket" + FormatLabels(labels, "le", "+Inf") + " " +
            std::to_string(count) + "\n";
    *out += std::string(name) + "_sum" + FormatLabels(labels) + " " + FormatNumber(sum) + "\n";
    *out +=
        std::string(name) + "_count" + FormatLabels(labels) + " " + std::to_string(count) + "\n";
  }
}

std::string Metrics::RenderPrometheus() const {
  // Counters and histograms are formatted under mu_ (their series are atomics, not worth
  // copying out); callbacks run after it is released, since they may take other locks (the
  // store's) or count metrics. render_mu_ stays held, so a callback cannot be removed (and
  // its state destroyed) while it runs, and the callback families the parts point to stay.
  MutexLock render_lock(&render_mu_);
  struct Part {
    std::string_view name;
    std::string text;
    const std::function<Samples()>* read = nullptr;  // callback families
  };
  std::vector<Part> parts;
  {
    MutexLock lock(&mu_);
    for (const auto& [name, family] : families_) {
      Part& part = parts.emplace_back();
      part.name = name;
      const char* type = family->type == Type::kHistogram ? "histogram"
                         : family->type == Type::kGauge   ? "gauge"
                                                          : "counter";
      part.text = "# HELP " + name + " " + Escape(family->help, /*quote=*/false) + "\n# TYPE " +
                  name + " " + type + "\n";
      if (family->type == Type::kGauge || family->type == Type::kCounterCallback) {
        part.read = &family->read;
      } else {
        AppendSeries(name, *family, &part.text);
      }
    }
  }
  std::string out;
  for (const Part& part : parts) {
    out += part.text;
    if (part.read == nullptr) continue;
    Samples samples;
    try {
      if (*part.read) samples = (*part.read)();
    } catch (const std::exception& e) {
      std::cerr << "nexus: metric " << part.name << " failed: " << e.what() << "\n";
      samples = {{Labels{}, std::nan("")}};
    }
    for (const auto& [labels, value] : samples) {
      if (!AreValidLabels(labels)) continue;
      out += std::string(part.name) + FormatLabels(labels) + " " + FormatNumber(value) + "\n";
    }
  }
  return out;
}

}  // namespace nexus::server

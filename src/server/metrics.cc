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

struct Metrics::Series {
  double value = 0;                     // counters
  std::vector<uint64_t> bucket_counts;  // histograms: per bucket, not cumulative
  double sum = 0;                       // histograms
  uint64_t count = 0;                   // histograms
};

struct Metrics::Family {
  Type type;
  std::string help;
  std::map<Labels, Series> series;
  std::function<double()> read;  // gauges
};

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

void Metrics::IncrementCounter(std::string_view name, std::string_view help, const Labels& labels,
                               double delta) {
  if (!AreValidLabels(labels)) return;
  std::lock_guard<std::mutex> lock(mu_);
  Family* family = FamilyFor(name, help, Type::kCounter);
  if (family != nullptr) family->series[labels].value += delta;
}

void Metrics::ObserveHistogram(std::string_view name, std::string_view help, const Labels& labels,
                               double value) {
  if (!AreValidLabels(labels)) return;
  std::lock_guard<std::mutex> lock(mu_);
  Family* family = FamilyFor(name, help, Type::kHistogram);
  if (family == nullptr) return;
  Series& series = family->series[labels];
  if (series.bucket_counts.empty()) series.bucket_counts.assign(kLatencyBuckets.size(), 0);
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (value <= kLatencyBuckets[i]) {
      ++series.bucket_counts[i];
      break;
    }
  }
  series.sum += value;
  ++series.count;
}

void Metrics::AddGaugeCallback(std::string_view name, std::string_view help,
                               std::function<double()> read) {
  std::lock_guard<std::mutex> render_lock(render_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  Family* family = FamilyFor(name, help, Type::kGauge);
  if (family == nullptr) return;
  family->help = std::string(help);
  family->read = std::move(read);
}

void Metrics::RemoveGaugeCallback(std::string_view name) {
  std::lock_guard<std::mutex> render_lock(render_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end() && it->second->type == Type::kGauge) families_.erase(it);
}

std::string Metrics::RenderPrometheus() const {
  // Snapshot under mu_, format without it: gauge callbacks may take other locks (the
  // store's) or count metrics, so they must not run under mu_. render_mu_ stays held so a
  // callback cannot be removed (and its state destroyed) while it runs.
  std::lock_guard<std::mutex> render_lock(render_mu_);
  std::map<std::string, Family, std::less<>> snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, family] : families_) snapshot.emplace(name, *family);
  }
  std::string out;
  for (const auto& [name, family] : snapshot) {
    out += "# HELP " + name + " " + Escape(family.help, /*quote=*/false) + "\n";
    switch (family.type) {
      case Type::kCounter:
        out += "# TYPE " + name + " counter\n";
        for (const auto& [labels, series] : family.series) {
          out += name + FormatLabels(labels) + " " + FormatNumber(series.value) + "\n";
        }
        break;
      case Type::kHistogram:
        out += "# TYPE " + name + " histogram\n";
        for (const auto& [labels, series] : family.series) {
          uint64_t cumulative = 0;
          for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
            cumulative += series.bucket_counts[i];
            out += name + "_bucket" + FormatLabels(labels, "le", FormatNumber(kLatencyBuckets[i])) +
                   " " + std::to_string(cumulative) + "\n";
          }
          out += name + "_bucket" + FormatLabels(labels, "le", "+Inf") + " " +
                 std::to_string(series.count) + "\n";
          out += name + "_sum" + FormatLabels(labels) + " " + FormatNumber(series.sum) + "\n";
          out += name + "_count" + FormatLabels(labels) + " " + std::to_string(series.count) + "\n";
        }
        break;
      case Type::kGauge: {
        out += "# TYPE " + name + " gauge\n";
        double value = 0;
        try {
          value = family.read ? family.read() : 0;
        } catch (const std::exception& e) {
          std::cerr << "nexus: gauge " << name << " failed: " << e.what() << "\n";
          value = std::nan("");
        }
        out += name + " " + FormatNumber(value) + "\n";
        break;
      }
    }
  }
  return out;
}

}  // namespace nexus::server

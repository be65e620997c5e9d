#include "stress/stats.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace nexus::stress {

double Quantile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

void Stats::CountError(const std::string& kind, bool expected, const std::string& sample) {
  const std::string key = expected ? kind + " (expected)" : kind;
  ++errors_[key];
  samples_.try_emplace(key, sample.substr(0, 160));
}

bool Stats::Interrupted(const CallOutcome& call) const {
  if (!interruptions_expected_) return false;
  switch (call.http_status) {
    case 0:    // the connection was lost
    case 502:  // a balancer's: the node it chose died with the call
    case 503:  // nothing was done
    case 504:  // a balancer's: the node it chose did not answer in time
      return true;
    default:
      break;
  }
  // Neither was acknowledged: a COMMIT whose outcome is unknown, and a call of several write
  // units the database left between them.
  return call.rpc_code == -32603 &&
         (call.error_message.find("whether the change was made is unknown") != std::string::npos ||
          call.error_message.find("part of the call was saved before the database became "
                                  "unavailable") != std::string::npos);
}

void Stats::Record(const CallOutcome& call, const std::set<int>& expected_codes) {
  latencies_ms_[call.method].push_back(call.ms);
  if (call.ok() && call.method == "write") {
    writes_done_at_.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count());
  }
  if (call.ok()) return;
  if (Interrupted(call)) {
    ++interrupted_;
    const std::string kind = call.http_status == 0     ? "transport"
                             : call.http_status != 200 ? "http " + std::to_string(call.http_status)
                                                       : "rpc " + std::to_string(call.rpc_code);
    CountError(
        "interrupted: " + kind, true,
        call.method + ": " + (call.http_status == 0 ? call.transport_error : call.error_message));
    return;
  }
  if (call.http_status == 0) {
    ++transport_errors_;
    CountError("transport", false, call.method + ": " + call.transport_error);
  } else if (call.http_status != 200) {
    if (call.http_status >= 500) {
      ++server_errors_;
    } else {
      ++unexpected_;
    }
    CountError("http " + std::to_string(call.http_status), false,
               call.method + ": " + call.error_message);
  } else {
    const bool expected = expected_codes.contains(call.rpc_code);
    if (!expected) ++unexpected_;
    CountError("rpc " + std::to_string(call.rpc_code), expected,
               call.method + ": " + call.error_message);
  }
}

void Stats::RecordFailure(const std::string& what, const std::string& detail) {
  ++unexpected_;
  CountError("check: " + what, false, detail);
}

void Stats::Merge(const Stats& other) {
  for (const auto& [method, ms] : other.latencies_ms_) {
    std::vector<double>& mine = latencies_ms_[method];
    mine.insert(mine.end(), ms.begin(), ms.end());
  }
  for (const auto& [kind, n] : other.errors_) errors_[kind] += n;
  for (const auto& [kind, sample] : other.samples_) samples_.try_emplace(kind, sample);
  server_errors_ += other.server_errors_;
  transport_errors_ += other.transport_errors_;
  unexpected_ += other.unexpected_;
  interrupted_ += other.interrupted_;
  interruptions_expected_ = interruptions_expected_ || other.interruptions_expected_;
  writes_done_at_.insert(writes_done_at_.end(), other.writes_done_at_.begin(),
                         other.writes_done_at_.end());
}

double Stats::longest_write_gap_seconds() const {
  std::vector<double> at = writes_done_at_;
  std::sort(at.begin(), at.end());
  double longest = 0;
  for (size_t i = 1; i < at.size(); ++i) longest = std::max(longest, at[i] - at[i - 1]);
  return longest;
}

int64_t Stats::calls() const {
  int64_t n = 0;
  for (const auto& [method, ms] : latencies_ms_) n += static_cast<int64_t>(ms.size());
  return n;
}

void Stats::Print(std::FILE* out, double seconds) const {
  const double span = std::max(seconds, 1e-9);
  std::fprintf(out, "%-24s %10s %10s %9s %9s %9s %9s\n", "method", "calls", "calls/s", "p50 ms",
               "p90 ms", "p99 ms", "max ms");
  std::vector<double> all;
  for (const auto& [method, ms] : latencies_ms_) {
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    all.insert(all.end(), sorted.begin(), sorted.end());
    std::fprintf(out, "%-24s %10zu %10.1f %9.2f %9.2f %9.2f %9.2f\n", method.c_str(), sorted.size(),
                 static_cast<double>(sorted.size()) / span, Quantile(sorted, 0.50),
                 Quantile(sorted, 0.90), Quantile(sorted, 0.99),
                 sorted.empty() ? 0.0 : sorted.back());
  }
  std::sort(all.begin(), all.end());
  std::fprintf(out, "%-24s %10zu %10.1f %9.2f %9.2f %9.2f %9.2f\n", "all", all.size(),
               static_cast<double>(all.size()) / span, Quantile(all, 0.50), Quantile(all, 0.90),
               Quantile(all, 0.99), all.empty() ? 0.0 : all.back());
  std::fprintf(out, "\nerrors: %lld 5xx, %lld transport, %lld unexpected\n",
               static_cast<long long>(server_errors_), static_cast<long long>(transport_errors_),
               static_cast<long long>(unexpected_));
  if (interruptions_expected_) {
    std::fprintf(out,
                 "interrupted calls: %lld; longest time without an acknowledged write: %.2f s\n",
                 static_cast<long long>(interrupted_), longest_write_gap_seconds());
  }
  for (const auto& [kind, n] : errors_) {
    std::fprintf(out, "  %-32s %10lld  e.g. %s\n", kind.c_str(), static_cast<long long>(n),
                 samples_.at(kind).c_str());
  }
}

}  // namespace nexus::stress

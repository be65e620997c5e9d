// What a run measured: per RPC method the calls and their latencies, and every error by
// kind ("http 503", "transport", "rpc -32603", "check: read-back differs", ...). Each client
// thread fills its own Stats; the runner merges them at the end.
#ifndef NEXUS_STRESS_STATS_H_
#define NEXUS_STRESS_STATS_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "stress/rpc_client.h"

namespace nexus::stress {

class Stats {
 public:
  // `interruptions_expected`: a call that a failure interrupted (HTTP 503: nothing done;
  // a lost connection, a balancer's 502 or 504 for a node that died with the call, a COMMIT
  // whose outcome is unknown, or a call the database left between two of its write units:
  // not acknowledged, so not journaled) is counted apart and does not fail the run. Wrong
  // answers still do.
  Stats() = default;
  explicit Stats(bool interruptions_expected) : interruptions_expected_(interruptions_expected) {}

  // Counts the call under its method; a failed call is also counted under its error kind.
  // An RPC error whose code is in `expected_codes` is counted, marked expected, and does not
  // fail the run.
  void Record(const CallOutcome& call, const std::set<int>& expected_codes = {});
  // A failed check of the tool itself (a read-back that differs, a malformed result).
  void RecordFailure(const std::string& what, const std::string& detail);
  void Merge(const Stats& other);

  int64_t calls() const;
  int64_t server_errors() const { return server_errors_; }        // HTTP 5xx
  int64_t transport_errors() const { return transport_errors_; }  // no complete answer
  int64_t unexpected() const { return unexpected_; }              // other failures, checks included
  bool clean() const { return server_errors_ + transport_errors_ + unexpected_ == 0; }
  int64_t interrupted() const { return interrupted_; }
  // The longest time without an acknowledged write, from the first to the last one (0 with
  // fewer than two): how long writes were out during a failover.
  double longest_write_gap_seconds() const;

  // The table: per method calls, calls/s, p50/p90/p99/max in ms; then the errors by kind
  // with a sample message each.
  void Print(std::FILE* out, double seconds) const;

 private:
  void CountError(const std::string& kind, bool expected, const std::string& sample);
  bool Interrupted(const CallOutcome& call) const;

  bool interruptions_expected_ = false;
  std::map<std::string, std::vector<double>> latencies_ms_;  // by method
  std::map<std::string, int64_t> errors_;                    // by kind
  std::map<std::string, std::string> samples_;               // kind → first message
  int64_t server_errors_ = 0;
  int64_t transport_errors_ = 0;
  int64_t unexpected_ = 0;
  int64_t interrupted_ = 0;
  std::vector<double> writes_done_at_;  // seconds on the steady clock, acknowledged writes
};

// The p-quantile (0..1) of `sorted` by the nearest-rank method; 0 when empty.
double Quantile(const std::vector<double>& sorted, double p);

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_STATS_H_

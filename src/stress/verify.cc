#include "stress/verify.h"

#include <memory>
#include <thread>

#include "util/hash.h"

namespace nexus::stress {
namespace {

constexpr size_t kMaxProblems = 20;
constexpr int kNotFound = -32000;

class Checker {
 public:
  explicit Checker(const ClientConfig& config) : rpc_(config) {}

  void CheckVersion(const JournalEntry& e) {
    ++report_.versions_checked;
    const CallOutcome got = rpc_.Call("get_version", {{"path", e.path}, {"version", e.version}});
    if (!Answered(got, e)) return;
    if (!got.result.is_bytes() || Sha256Hex(got.result.AsString()) != e.sha256) {
      Wrong(e, "version " + std::to_string(e.version) + " has other content");
    }
  }

  void CheckCurrent(const JournalEntry& e) {
    ++report_.paths_checked;
    const CallOutcome got = rpc_.Call("read", {{"path", e.path}, {"return_metadata", true}});
    if (!Answered(got, e)) return;
    const int64_t version = got.result["version"].AsInt();
    if (version < e.version) {
      Wrong(e, "current version " + std::to_string(version) + " is older than acknowledged " +
                   std::to_string(e.version));
    } else if (version == e.version) {
      const Value& content = got.result["content"];
      if (got.result["etag"].AsString() != e.etag || !content.is_bytes() ||
          Sha256Hex(content.AsString()) != e.sha256) {
        Wrong(e, "current content or etag differs from the acknowledged write");
      }
    }
  }

  const VerifyReport& report() const { return report_; }

 private:
  // False (and counted) when the call did not return a result.
  bool Answered(const CallOutcome& got, const JournalEntry& e) {
    if (got.ok()) return true;
    if (got.http_status == 200 && got.rpc_code == kNotFound) {
      ++report_.lost;
      Note(e, "lost: " + got.error_message);
    } else {
      ++report_.errors;
      Note(e, got.method + " failed: " + std::to_string(got.http_status) + " " +
                  std::to_string(got.rpc_code) + " " + got.transport_error + got.error_message);
    }
    return false;
  }

  void Wrong(const JournalEntry& e, const std::string& what) {
    ++report_.wrong;
    Note(e, what);
  }

  void Note(const JournalEntry& e, const std::string& what) {
    if (report_.problems.size() < kMaxProblems) report_.problems.push_back(e.path + ": " + what);
  }

  RpcClient rpc_;
  VerifyReport report_;
};

void Add(VerifyReport& into, const VerifyReport& from) {
  into.versions_checked += from.versions_checked;
  into.paths_checked += from.paths_checked;
  into.lost += from.lost;
  into.wrong += from.wrong;
  into.errors += from.errors;
  for (const std::string& p : from.problems) {
    if (into.problems.size() < kMaxProblems) into.problems.push_back(p);
  }
}

}  // namespace

std::string VerifyReport::Summary() const {
  std::string s = std::to_string(versions_checked) + " versions and " +
                  std::to_string(paths_checked) + " paths checked: " + std::to_string(lost) +
                  " lost, " + std::to_string(wrong) + " wrong, " + std::to_string(errors) +
                  " errors";
  for (const std::string& p : problems) s += "\n  " + p;
  return s;
}

VerifyReport VerifyJournal(const ClientConfig& config, const std::vector<JournalEntry>& entries,
                           int threads) {
  const std::vector<JournalEntry> latest = LatestPerPath(entries);
  const size_t n = static_cast<size_t>(std::max(threads, 1));
  std::vector<std::unique_ptr<Checker>> checkers;
  for (size_t i = 0; i < n; ++i) checkers.push_back(std::make_unique<Checker>(config));
  std::vector<std::thread> pool;
  for (size_t t = 0; t < n; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < entries.size(); i += n) checkers[t]->CheckVersion(entries[i]);
      for (size_t i = t; i < latest.size(); i += n) checkers[t]->CheckCurrent(latest[i]);
    });
  }
  for (std::thread& th : pool) th.join();
  VerifyReport report;
  for (const auto& c : checkers) Add(report, c->report());
  return report;
}

}  // namespace nexus::stress

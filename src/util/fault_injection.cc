#include "util/fault_injection.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <random>
#include <string>

#include "util/mutex.h"

namespace nexus {
namespace fault_internal {
std::atomic<bool> armed{false};
}  // namespace fault_internal

namespace {

struct Rule {
  std::string point;
  int64_t first = 1;       // the first hit (1-based) that fails
  bool and_later = false;  // every hit from `first` on, not only that one
  double probability = 0;  // when > 0: each hit fails with this chance instead
  int err = 0;             // the errno reported
  int64_t hits = 0;        // hits of the point seen by this rule
};

struct Registry {
  Mutex mu;
  std::vector<Rule> rules GUARDED_BY(mu);
  std::minstd_rand rng GUARDED_BY(mu){std::random_device{}()};
};

Registry& TheRegistry() {
  static Registry* registry = new Registry;  // never destroyed: points may run at exit
  return *registry;
}

std::vector<std::string_view> SplitOn(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool ParseCount(std::string_view text, int64_t* out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && *out >= 1;
}

bool ParseProbability(std::string_view text, double* out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && *out > 0 && *out <= 1;
}

bool ParseWhen(std::string_view when, Rule* rule) {
  if (when == "every") {
    rule->and_later = true;
    return true;
  }
  if (when.starts_with('p')) return ParseProbability(when.substr(1), &rule->probability);
  rule->and_later = when.ends_with('+');
  if (rule->and_later) when.remove_suffix(1);
  return ParseCount(when, &rule->first);
}

int ErrnoNamed(std::string_view name) {
  if (name == "ENOSPC") return ENOSPC;
  if (name == "EDQUOT") return EDQUOT;
  if (name == "EIO") return EIO;
  if (name == "EROFS") return EROFS;
  return 0;
}

StatusOr<Rule> ParseRule(std::string_view text) {
  const std::string quoted = "fault rule \"" + std::string(text) + "\": ";
  const std::vector<std::string_view> fields = SplitOn(text, ':');
  if (fields.size() != 3) return InvalidArgument(quoted + "expected point:when:errno");
  Rule rule;
  rule.point = std::string(fields[0]);
  const auto& names = FaultPointNames();
  if (std::find(names.begin(), names.end(), fields[0]) == names.end()) {
    std::string known;
    for (std::string_view n : names) known += (known.empty() ? "" : ", ") + std::string(n);
    return InvalidArgument(quoted + "unknown point (known: " + known + ")");
  }
  if (!ParseWhen(fields[1], &rule)) {
    return InvalidArgument(quoted + "when must be N, N+, every or pX with 0 < X <= 1");
  }
  rule.err = ErrnoNamed(fields[2]);
  if (rule.err == 0) return InvalidArgument(quoted + "errno must be ENOSPC, EDQUOT, EIO or EROFS");
  return rule;
}

// Whether this hit of `rule` fails; counts the hit. Called under the registry's mutex.
bool Fires(Rule& rule, std::minstd_rand& rng) {
  ++rule.hits;
  if (rule.probability > 0)
    return std::uniform_real_distribution<double>(0, 1)(rng) < rule.probability;
  return rule.and_later ? rule.hits >= rule.first : rule.hits == rule.first;
}

}  // namespace

const std::vector<std::string_view>& FaultPointNames() {
  static const std::vector<std::string_view> names = {
      "file.write",       // util/file: writing an atomic file's temporary (local blobs, key file)
      "file.fsync",       // ... its fsync
      "file.rename",      // ... its rename into place
      "file.dirsync",     // fsync of a directory (after a rename, a new cas/ directory)
      "dbblob.write",     // the database blob store, after the first chunk of a blob
      "sqlite.commit",    // the SQLite writer, before COMMIT of a group
      "postgres.commit",  // the PostgreSQL engine, before COMMIT of a write unit
      "postgres.send",    // ... sending a read unit's BEGIN and first statement (pipelined)
  };
  return names;
}

Status SetFaults(std::string_view spec) {
  std::vector<Rule> rules;
  if (!spec.empty()) {
    for (std::string_view text : SplitOn(spec, ',')) {
      ASSIGN_OR_RETURN(Rule rule, ParseRule(text));
      rules.push_back(std::move(rule));
    }
  }
  Registry& registry = TheRegistry();
  MutexLock lock(&registry.mu);
  registry.rules = std::move(rules);
  fault_internal::armed.store(!registry.rules.empty(), std::memory_order_relaxed);
  return Status::OK();
}

void ClearFaults() { (void)SetFaults(""); }

Status SetFaultsFromEnvironment() {
  const char* spec = std::getenv(kFaultsEnvVar);
  if (spec == nullptr) return Status::OK();
  Status s = SetFaults(spec);
  if (!s.ok()) return InvalidArgument(std::string(kFaultsEnvVar) + ": " + s.message());
  return s;
}

int fault_internal::Hit(std::string_view point) {
  Registry& registry = TheRegistry();
  MutexLock lock(&registry.mu);
  int err = 0;
  for (Rule& rule : registry.rules) {
    // Every matching rule counts the hit, so rules on one point keep independent counts.
    if (rule.point == point && Fires(rule, registry.rng) && err == 0) err = rule.err;
  }
  return err;
}

}  // namespace nexus

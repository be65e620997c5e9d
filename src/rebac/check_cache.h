// Results of recent checks, in memory, bounded.
//
// An entry holds for one version of its tenant's graph (the revision of the tenant's latest
// change) and, when tuples it may have used expire, until the first of them does. So a
// change in one tenant leaves the other tenants' results alone, and nothing is served
// after it may have become wrong. When full, the cache starts over: simple, and a full
// cache of in-memory results refills quickly.
#ifndef NEXUS_REBAC_CHECK_CACHE_H_
#define NEXUS_REBAC_CHECK_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rebac/refs.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::rebac {

class CheckCache {
 public:
  explicit CheckCache(size_t capacity) : capacity_(capacity) {}

  static std::string Key(std::string_view tenant_id, const SubjectRef& subject,
                         std::string_view permission, const ObjectRef& object);

  // The cached result for `key` at tenant version `version`, if still valid at `now`.
  std::optional<bool> Find(const std::string& key, int64_t version, int64_t now);

  // Remembers a result computed at tenant version `version`, valid before `valid_until`.
  void Insert(std::string key, int64_t version, bool allowed, int64_t valid_until);

  void Clear();
  size_t size();

 private:
  struct Entry {
    int64_t version = 0;
    int64_t valid_until = 0;
    bool allowed = false;
  };

  const size_t capacity_;
  Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ GUARDED_BY(mu_);
};

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_CHECK_CACHE_H_

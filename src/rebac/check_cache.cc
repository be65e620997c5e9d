#include "rebac/check_cache.h"

#include <utility>

#include "rebac/graph.h"
#include "util/mutex.h"

namespace nexus::rebac {

std::string CheckCache::Key(std::string_view tenant_id, const SubjectRef& subject,
                            std::string_view permission, const ObjectRef& object) {
  std::string key = ObjectKey(tenant_id, permission, object.type);
  key.push_back('\0');
  key += object.id;
  key.push_back('\0');
  key += SubjectKey(subject);
  return key;
}

std::optional<bool> CheckCache::Find(const std::string& key, int64_t version, int64_t now) {
  MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.version != version || now >= it->second.valid_until) {
    return std::nullopt;
  }
  return it->second.allowed;
}

void CheckCache::Insert(std::string key, int64_t version, bool allowed, int64_t valid_until) {
  if (capacity_ == 0) return;
  MutexLock lock(&mu_);
  if (entries_.size() >= capacity_ && entries_.find(key) == entries_.end()) entries_.clear();
  entries_[std::move(key)] = Entry{version, valid_until, allowed};
}

void CheckCache::Clear() {
  MutexLock lock(&mu_);
  entries_.clear();
}

size_t CheckCache::size() {
  MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace nexus::rebac

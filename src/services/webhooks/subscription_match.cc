#include "services/webhooks/subscription_match.h"

#include <algorithm>

#include "auth/tenant_paths.h"

namespace nexus::services {

StatusOr<SubscriptionMatcher> SubscriptionMatcher::Compile(Subscription sub) {
  std::vector<GlobMatcher> globs;
  for (const std::string& pattern : sub.patterns) {
    ASSIGN_OR_RETURN(GlobMatcher glob, GlobMatcher::Compile(pattern));
    globs.push_back(std::move(glob));
  }
  return SubscriptionMatcher(std::move(sub), std::move(globs));
}

bool SubscriptionMatcher::PathMatches(const std::string& stored) const {
  if (!stored.starts_with(sub_.path_scope)) return false;
  if (globs_.empty()) return true;
  const std::string root = auth::TenantRoot(sub_.tenant_id);
  const std::string relative =
      stored.starts_with(root + "/") ? stored.substr(root.size()) : std::string();
  return std::any_of(globs_.begin(), globs_.end(), [&](const GlobMatcher& glob) {
    return glob.Matches(stored) || (!relative.empty() && glob.Matches(relative));
  });
}

bool SubscriptionMatcher::Matches(const OutboxEvent& event) const {
  if (!sub_.enabled || event.tenant_id != sub_.tenant_id) return false;
  if (std::find(sub_.event_types.begin(), sub_.event_types.end(), event.type) ==
      sub_.event_types.end())
    return false;
  return PathMatches(event.path) || (event.old_path && PathMatches(*event.old_path));
}

}  // namespace nexus::services

// Which events a subscription receives: its tenant's, of its event types, under its path
// scope, and matching one of its glob patterns (util/glob.h) when it has any.
//
// A pattern is matched against the event's stored path (/tenant:<t>/workspace/a.txt) and
// against the same path without the tenant prefix (/workspace/a.txt), so a tenant's users
// can write patterns in the form they name paths in. A rename matches on its new or its
// old path.
#ifndef NEXUS_SERVICES_WEBHOOKS_SUBSCRIPTION_MATCH_H_
#define NEXUS_SERVICES_WEBHOOKS_SUBSCRIPTION_MATCH_H_

#include <string>
#include <vector>

#include "services/webhooks/subscription.h"
#include "services/webhooks/webhook_outbox.h"
#include "util/glob.h"
#include "util/status.h"

namespace nexus::services {

class SubscriptionMatcher {
 public:
  // kInvalidPattern for a pattern that does not compile (validated ones always do).
  static StatusOr<SubscriptionMatcher> Compile(Subscription sub);

  bool Matches(const OutboxEvent& event) const;
  const Subscription& subscription() const { return sub_; }

 private:
  SubscriptionMatcher(Subscription sub, std::vector<GlobMatcher> globs)
      : sub_(std::move(sub)), globs_(std::move(globs)) {}

  bool PathMatches(const std::string& stored) const;

  Subscription sub_;
  std::vector<GlobMatcher> globs_;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WEBHOOKS_SUBSCRIPTION_MATCH_H_

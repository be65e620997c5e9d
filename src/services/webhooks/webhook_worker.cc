#include "services/webhooks/webhook_worker.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "services/webhooks/subscription_match.h"
#include "services/webhooks/webhook_delivery.h"
#include "services/webhooks/webhook_outbox.h"
#include "services/webhooks/webhook_schedule.h"
#include "util/background.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::services {
namespace {

// What became of a claimed delivery in a round. kUnsendable: its stored row cannot make a
// request (corrupt JSON), and never will; it ends as a failed delivery without an attempt.
enum class Outcome { kPostponed, kGone, kDelivered, kFailed, kUnsendable };

// A subscription during a round: its circuit breaker as the round's attempts move it.
struct Target {
  std::optional<Subscription> sub;  // nullopt: deleted or disabled
  int64_t failed_attempts = 0;
  int in_flight = 0;
  bool probing = false;  // the breaker is open and the round's one attempt is taken
  DeliveryTally attempts;

  // Whether to attempt a delivery now: while the attempts in flight could not open the
  // breaker even if all failed, or as the one probe of an open breaker.
  bool Admit(const CircuitBreaker& breaker) {
    if (failed_attempts + in_flight >= breaker.threshold) {
      if (!breaker.IsOpen(failed_attempts) || probing || in_flight > 0) return false;
      probing = true;
    }
    ++in_flight;
    return true;
  }
  void Ended(const CircuitBreaker& breaker, bool delivered) {
    --in_flight;
    failed_attempts = delivered ? 0 : failed_attempts + 1;
    // Opened in this round: its other deliveries wait for the cool-down.
    if (breaker.IsOpen(failed_attempts)) probing = true;
    attempts.Add(delivered);
  }
};

// What became of each claimed delivery of a round, by index, and the attempts in the order
// they ended.
struct RoundResults {
  std::vector<Outcome> outcomes;
  std::vector<size_t> ended;
};

// What the sender threads of a round share. The Targets' breaker state also changes only
// with mu held (the analysis cannot name mu from Target).
struct Round {
  explicit Round(size_t deliveries) { results.outcomes.assign(deliveries, Outcome::kPostponed); }

  void End(size_t delivery, Outcome outcome) EXCLUDES(mu) {
    MutexLock lock(&mu);
    EndLocked(delivery, outcome);
  }
  void EndLocked(size_t delivery, Outcome outcome) REQUIRES(mu) {
    results.outcomes[delivery] = outcome;
    if (outcome != Outcome::kGone) results.ended.push_back(delivery);
  }

  // Once the senders are done.
  RoundResults Take() EXCLUDES(mu) {
    MutexLock lock(&mu);
    return std::move(results);
  }

  Mutex mu;
  RoundResults results GUARDED_BY(mu);
};

int64_t Micros(std::chrono::milliseconds ms) { return ms.count() * 1000; }

constexpr std::string_view kSender = "webhook_sender";

}  // namespace

vfs::PathTreeHooks WebhookWorker::Hooks() {
  return OutboxHooks([this] { recorded_ = true; },
                     [this] {
                       if (recorded_) Poke();
                     });
}

Status WebhookWorker::Start() {
  if (engine_.dialect() == storage::Dialect::kSqlite) {
    RETURN_IF_ERROR(ReleaseAllClaims(engine_));
    RETURN_IF_ERROR(ReleaseAllDeliveryClaims(engine_));
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::OK();
}

void WebhookWorker::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void WebhookWorker::Poke() {
  {
    MutexLock lock(&mu_);
    poked_ = true;
  }
  cv_.SignalAll();
}

bool WebhookWorker::Stopping() {
  MutexLock lock(&mu_);
  return stopping_;
}

int WebhookWorker::DeliveryBatch() const {
  const int64_t per_sender = options_.lease / (2 * subscriptions_.delivery().timeout);
  return static_cast<int>(std::min<int64_t>(
      options_.batch_size, std::max<int64_t>(options_.senders, options_.senders * per_sender)));
}

void WebhookWorker::Loop() {
  // The first round at once: deliveries left by a previous process are due.
  std::chrono::milliseconds wait{0};
  for (;;) {
    {
      MutexLock lock(&mu_);
      cv_.WaitFor(&mu_, wait, [this]() REQUIRES(mu_) { return poked_ || stopping_; });
      if (stopping_) return;
      poked_ = false;
    }
    // Rounds follow each other while they find work. A failed round (the store
    // unavailable) waits for the next poll.
    StatusOr<int> taken = 0;
    do {
      if (!RunGuarded("webhook_worker", [&] { taken = RunOnce(); }))
        taken = Internal("the round threw");
      if (Stopping()) return;
    } while (taken.ok() && *taken > 0);
    wait = taken.ok() ? NextWait() : options_.poll_interval;
  }
}

std::chrono::milliseconds WebhookWorker::NextWait() {
  const int64_t now = NowMicros();
  StatusOr<std::optional<int64_t>> due = NextDeliveryDue(engine_, now);
  if (!due.ok() || !due->has_value()) return options_.poll_interval;
  // At least a millisecond: a row another node is claiming at this moment is not ours to
  // spin on.
  const std::chrono::milliseconds until((**due - now) / 1000 + 1);
  return std::clamp(until, std::chrono::milliseconds(1), options_.poll_interval);
}

StatusOr<int> WebhookWorker::RunOnce() {
  ASSIGN_OR_RETURN(const int events, ScheduleEvents());
  ASSIGN_OR_RETURN(const int deliveries, AttemptDue());
  return events + deliveries;
}

StatusOr<int> WebhookWorker::ScheduleEvents() {
  const int64_t now = NowMicros();
  const int64_t lease_until = now + Micros(options_.lease);
  ASSIGN_OR_RETURN(const std::vector<OutboxEvent> events,
                   ClaimEvents(engine_, now, lease_until, options_.batch_size));
  if (events.empty()) return 0;
  std::map<std::string, std::vector<SubscriptionMatcher>> by_tenant;
  for (const OutboxEvent& e : events) {
    auto [it, fresh] = by_tenant.try_emplace(e.tenant_id);
    if (!fresh) continue;
    ASSIGN_OR_RETURN(std::vector<Subscription> subs, subscriptions_.EnabledForTenant(e.tenant_id));
    for (Subscription& sub : subs) {
      ASSIGN_OR_RETURN(SubscriptionMatcher matcher, SubscriptionMatcher::Compile(std::move(sub)));
      it->second.push_back(std::move(matcher));
    }
  }
  RETURN_IF_ERROR(engine_.Write([&](storage::Tx& tx) -> Status {
    for (const OutboxEvent& e : events) {
      ASSIGN_OR_RETURN(const bool ours, TakeEvent(tx, e.event_id, lease_until));
      if (!ours) continue;
      for (const SubscriptionMatcher& m : by_tenant.at(e.tenant_id)) {
        if (!m.Matches(e)) continue;
        const Subscription& sub = m.subscription();
        RETURN_IF_ERROR(ScheduleDelivery(tx, sub.id, EventOf(e, sub.path_scope), now));
      }
    }
    return Status::OK();
  }));
  return static_cast<int>(events.size());
}

StatusOr<int> WebhookWorker::AttemptDue() {
  const int64_t now = NowMicros();
  ASSIGN_OR_RETURN(const std::vector<ScheduledDelivery> due,
                   ClaimDeliveries(engine_, now, now + Micros(options_.lease), DeliveryBatch()));
  if (due.empty()) return 0;
  std::map<std::string, Target> targets;
  for (const ScheduledDelivery& d : due) {
    auto [it, fresh] = targets.try_emplace(d.subscription_id);
    if (!fresh) continue;
    ASSIGN_OR_RETURN(it->second.sub, subscriptions_.Enabled(d.subscription_id));
    if (it->second.sub) it->second.failed_attempts = it->second.sub->failed_attempts;
  }

  const DeliveryOptions& delivery = subscriptions_.delivery();
  const CircuitBreaker& breaker = options_.breaker;
  Round round(due.size());
  std::atomic<size_t> next{0};
  const auto send = [&] {
    for (size_t j = next++; j < due.size(); j = next++) {
      if (Stopping()) continue;  // given back for the next start
      const ScheduledDelivery& d = due[j];
      Target& t = targets.at(d.subscription_id);  // t.sub stays as it is for the round
      if (!t.sub) {
        round.End(j, Outcome::kGone);
        continue;
      }
      const StatusOr<OutboundRequest> request =
          WebhookRequest(d.event, *t.sub, d.delivery_id, delivery);
      if (!request.ok()) {
        ReportBackgroundError(kSender, "delivery " + d.delivery_id + " of event " + d.event.id +
                                           " dropped: " + request.status().ToString());
        round.End(j, Outcome::kUnsendable);
        continue;
      }
      {
        MutexLock lock(&round.mu);
        if (!t.Admit(breaker)) continue;
      }
      const DeliveryResult r = Attempt(subscriptions_.http(), *request);
      MutexLock lock(&round.mu);
      t.Ended(breaker, r.delivered);
      round.EndLocked(j, r.delivered ? Outcome::kDelivered : Outcome::kFailed);
    }
  };
  // An exception escaping a sender thread, or unwinding this frame past joinable senders,
  // would end the process. Guarded, a sender that throws leaves its delivery postponed and
  // the others go on.
  const auto guarded_send = [&] { RunGuarded(kSender, send); };
  std::vector<std::thread> senders;
  for (int s = 1; s < options_.senders && static_cast<size_t>(s) < due.size(); ++s)
    senders.emplace_back(guarded_send);
  guarded_send();
  for (std::thread& s : senders) s.join();
  const RoundResults results = round.Take();

  const int64_t finished = NowMicros();
  RETURN_IF_ERROR(engine_.Write([&](storage::Tx& tx) -> Status {
    for (size_t j = 0; j < due.size(); ++j) {
      if (results.outcomes[j] == Outcome::kPostponed)
        RETURN_IF_ERROR(ReleaseDelivery(tx, due[j].delivery_id));
      if (results.outcomes[j] == Outcome::kGone)
        RETURN_IF_ERROR(DeleteDelivery(tx, due[j].delivery_id));
    }
    std::map<std::string, DeliveryTally> deliveries;
    for (const size_t j : results.ended) {
      const ScheduledDelivery& d = due[j];
      const int64_t attempts = d.attempts + 1;
      if (results.outcomes[j] == Outcome::kFailed && attempts < delivery.max_attempts) {
        RETURN_IF_ERROR(RetryDeliveryAt(tx, d.delivery_id, attempts,
                                        finished + Micros(delivery.BackoffAfter(attempts))));
        continue;
      }
      RETURN_IF_ERROR(DeleteDelivery(tx, d.delivery_id));
      deliveries[d.subscription_id].Add(results.outcomes[j] == Outcome::kDelivered);
    }
    for (const auto& [id, tally] : deliveries)
      RETURN_IF_ERROR(SubscriptionService::RecordOutcome(tx, id, tally, finished));
    for (const auto& [id, target] : targets) {
      if (target.attempts.count == 0) continue;
      RETURN_IF_ERROR(
          SubscriptionService::RecordAttempts(tx, id, target.attempts, breaker, finished));
    }
    return Status::OK();
  }));
  return static_cast<int>(due.size());
}

}  // namespace nexus::services

#include "services/webhook_worker.h"

#include <map>
#include <vector>

#include "services/subscription_match.h"
#include "services/webhook_delivery.h"
#include "services/webhook_outbox.h"
#include "util/clock.h"

namespace nexus::services {
namespace {

// One event to one subscription.
struct Job {
  size_t event = 0;  // index into the claimed batch
  const Subscription* sub = nullptr;
  DeliveryResult result;
};

int64_t Micros(std::chrono::milliseconds ms) { return ms.count() * 1000; }

}  // namespace

vfs::PathTreeHooks WebhookWorker::Hooks() {
  return OutboxHooks([this] { recorded_ = true; },
                     [this] {
                       if (recorded_) Poke();
                     });
}

Status WebhookWorker::Start() {
  if (engine_.dialect() == storage::Dialect::kSqlite) RETURN_IF_ERROR(ReleaseAllClaims(engine_));
  thread_ = std::thread([this] { Loop(); });
  return Status::OK();
}

void WebhookWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookWorker::Poke() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poked_ = true;
  }
  // All: senders waiting out a backoff share the variable and ignore pokes.
  cv_.notify_all();
}

bool WebhookWorker::WaitUnlessStopping(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, delay, [this] { return stopping_; });
}

void WebhookWorker::Loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, options_.poll_interval, [this] { return poked_ || stopping_; });
      if (stopping_) return;
      poked_ = false;
    }
    recorded_ = false;
    // A full batch means more events are waiting: keep going until the outbox is drained.
    // A failed round (the store unavailable) waits for the next poll.
    for (;;) {
      StatusOr<int> claimed = RunOnce();
      if (!claimed.ok() || *claimed < options_.batch_size) break;
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
  }
}

StatusOr<int> WebhookWorker::RunOnce() {
  const int64_t now = NowMicros();
  ASSIGN_OR_RETURN(const std::vector<OutboxEvent> events,
                   ClaimEvents(engine_, now, now + Micros(options_.lease), options_.batch_size));
  if (events.empty()) return 0;
  std::map<std::string, std::vector<SubscriptionMatcher>> by_tenant;
  std::vector<Job> jobs;
  for (size_t i = 0; i < events.size(); ++i) {
    auto [it, fresh] = by_tenant.try_emplace(events[i].tenant_id);
    if (fresh) {
      ASSIGN_OR_RETURN(std::vector<Subscription> subs,
                       subscriptions_.EnabledForTenant(events[i].tenant_id));
      for (Subscription& sub : subs) {
        ASSIGN_OR_RETURN(SubscriptionMatcher matcher, SubscriptionMatcher::Compile(std::move(sub)));
        it->second.push_back(std::move(matcher));
      }
    }
    for (const SubscriptionMatcher& m : it->second) {
      if (m.Matches(events[i])) jobs.push_back(Job{i, &m.subscription(), {}});
    }
  }
  std::atomic<size_t> next{0};
  const auto send = [&] {
    for (size_t j = next++; j < jobs.size(); j = next++) {
      jobs[j].result = Deliver(subscriptions_.http(), EventOf(events[jobs[j].event]), *jobs[j].sub,
                               subscriptions_.delivery(), [this](std::chrono::milliseconds d) {
                                 return WaitUnlessStopping(d);
                               });
    }
  };
  std::vector<std::thread> senders;
  for (int t = 1; t < options_.senders && static_cast<size_t>(t) < jobs.size(); ++t)
    senders.emplace_back(send);
  send();
  for (std::thread& t : senders) t.join();

  // An event whose delivery was abandoned stays claimed; its lease lapses (or the next start
  // releases it) and it is delivered again.
  std::vector<bool> abandoned(events.size(), false);
  std::map<std::string, DeliveryTally> tallies;
  for (const Job& job : jobs) {
    if (job.result.abandoned) {
      abandoned[job.event] = true;
    } else {
      tallies[job.sub->id].Add(job.result.delivered);
    }
  }
  std::vector<std::string> done;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!abandoned[i]) done.push_back(events[i].event_id);
  }
  const int64_t finished = NowMicros();
  RETURN_IF_ERROR(engine_.Write([&](storage::Tx& tx) -> Status {
    RETURN_IF_ERROR(DeleteEvents(tx, done));
    for (const auto& [id, tally] : tallies)
      RETURN_IF_ERROR(SubscriptionService::RecordOutcome(tx, id, tally, finished));
    return Status::OK();
  }));
  return static_cast<int>(events.size());
}

}  // namespace nexus::services

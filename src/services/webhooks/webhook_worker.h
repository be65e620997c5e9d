// The webhook delivery worker: a background thread that takes events out of the outbox
// (services/webhooks/webhook_outbox.h), schedules one delivery per matching enabled subscription
// (services/webhooks/webhook_schedule.h), and attempts the deliveries that are due.
//
// At least once: an event is replaced by its deliveries in one unit, and a delivery leaves
// the schedule only after it succeeded, used up its attempts or lost its subscription, so a
// crash before that attempts it again after the restart. A failed attempt is not retried in
// place: it records when the next one is due and gives the delivery back, so a dead
// receiver never holds a sender through its backoff. Each subscription has a circuit
// breaker (services/webhooks/circuit_breaker.h): once it opens, the subscription's deliveries wait
// for the cool-down and then one of them probes the receiver.
//
// Claims are leases: several nodes on one PostgreSQL share the work, and a dead node's
// claims lapse after `lease`. A batch of deliveries is sized so that one attempt of each,
// at the full timeout, ends well inside the lease. A SQLite store has one process, so its
// claims are released at start.
//
// The path tree's hooks wake the worker after a commit that recorded an event; it also
// wakes when the next retry is due, and polls for other nodes' work.
#ifndef NEXUS_SERVICES_WEBHOOKS_WEBHOOK_WORKER_H_
#define NEXUS_SERVICES_WEBHOOKS_WEBHOOK_WORKER_H_

#include <atomic>
#include <chrono>
#include <thread>

#include "services/webhooks/circuit_breaker.h"
#include "services/webhooks/subscriptions.h"
#include "storage/engine.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"
#include "vfs/path_tree.h"

namespace nexus::services {

struct WebhookWorkerOptions {
  std::chrono::milliseconds poll_interval{1000};
  // How long a claim lasts. A batch of deliveries holds one attempt each, at most the
  // delivery timeout long; the batch is cut so that those fit twice into the lease.
  std::chrono::milliseconds lease{120000};
  int batch_size = 64;  // events (and at most this many deliveries) claimed at once
  int senders = 4;      // attempts in flight at once
  CircuitBreaker breaker;
};

class WebhookWorker {
 public:
  // Both must outlive the worker.
  WebhookWorker(storage::Engine& engine, SubscriptionService& subscriptions,
                WebhookWorkerOptions options)
      : engine_(engine), subscriptions_(subscriptions), options_(options) {}
  ~WebhookWorker() { Stop(); }
  WebhookWorker(const WebhookWorker&) = delete;
  WebhookWorker& operator=(const WebhookWorker&) = delete;

  // Hooks for the path tree: record the events of every change, wake this worker after a
  // commit that recorded one.
  vfs::PathTreeHooks Hooks();

  // Starts the thread (on SQLite after releasing the claims a previous process held).
  Status Start();
  // Stops the thread. Attempts in progress finish; the deliveries of the batch not yet
  // attempted are given back for the next start.
  void Stop();
  // Runs a round soon.
  void Poke();

  // One round: schedule the deliveries of a batch of events, then make one attempt of each
  // of a batch of due deliveries. The number of events and deliveries taken.
  StatusOr<int> RunOnce();

  // How many deliveries a round claims: at least `senders`, at most `batch_size`.
  int DeliveryBatch() const;

 private:
  void Loop() EXCLUDES(mu_);
  // Replaces a batch of outbox events by their deliveries; the number of events.
  StatusOr<int> ScheduleEvents();
  // Attempts a batch of due deliveries once each; the number of deliveries.
  StatusOr<int> AttemptDue();
  // How long to sleep before the next round: until the next retry is due, at most a poll.
  std::chrono::milliseconds NextWait();
  bool Stopping() EXCLUDES(mu_);

  storage::Engine& engine_;
  SubscriptionService& subscriptions_;
  const WebhookWorkerOptions options_;
  // Set for good by the first event recorded; from then on every commit pokes the worker.
  // Never cleared: a round that starts between an event's recording and its commit does not
  // see the event, and only the commit's own poke then wakes a round that does. (A per-round
  // flag lost exactly that wake-up.) Until a tenant subscribes, commits poke nothing.
  std::atomic<bool> recorded_{false};

  Mutex mu_;
  CondVar cv_;
  bool poked_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WEBHOOKS_WEBHOOK_WORKER_H_

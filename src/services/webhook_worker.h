// The webhook delivery worker: a background thread that claims events from the outbox
// (services/webhook_outbox.h), delivers each to the enabled subscriptions that match it,
// and deletes it once every delivery succeeded or used up its attempts.
//
// At least once: an event leaves the outbox only after its deliveries ended, so a crash
// before that delivers it again (to every matching subscription) after the restart. Claims
// are leases: several nodes on one PostgreSQL share the work, and a dead node's claims
// lapse after `lease`. A SQLite store has one process, so its claims are released at start.
//
// The path tree's hooks wake the worker after a commit that recorded an event; it also
// polls, for events of other nodes and ones a wake-up missed.
#ifndef NEXUS_SERVICES_WEBHOOK_WORKER_H_
#define NEXUS_SERVICES_WEBHOOK_WORKER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "services/subscriptions.h"
#include "storage/engine.h"
#include "vfs/path_tree.h"

namespace nexus::services {

struct WebhookWorkerOptions {
  std::chrono::milliseconds poll_interval{1000};
  // How long a claim lasts: longer than a delivery's attempts, or another node may deliver
  // the event too.
  std::chrono::milliseconds lease{120000};
  int batch_size = 64;  // events claimed at once
  int senders = 4;      // deliveries in flight at once
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
  // Stops the thread. A delivery in progress finishes its current attempt and gives up its
  // other attempts; its event stays in the outbox for the next start.
  void Stop();
  // Runs a round soon.
  void Poke();

  // One round: claim a batch, deliver it, acknowledge it. The number of events claimed.
  StatusOr<int> RunOnce();

 private:
  void Loop();
  // Waits `delay` unless stopping; false when stopping.
  bool WaitUnlessStopping(std::chrono::milliseconds delay);

  storage::Engine& engine_;
  SubscriptionService& subscriptions_;
  const WebhookWorkerOptions options_;
  // Set by a hook that recorded an event, cleared by the round that looks for it.
  std::atomic<bool> recorded_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  bool poked_ = false;     // GUARDED_BY mu_
  bool stopping_ = false;  // GUARDED_BY mu_
  std::thread thread_;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WEBHOOK_WORKER_H_

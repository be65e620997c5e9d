// The schedule of webhook deliveries: a row per (event, subscription), written when the
// worker takes an event out of the outbox (services/webhooks/webhook_outbox.h) and deleted when the
// delivery succeeded, used up its attempts or lost its subscription.
//
// Each row is scheduled on its own: a failed attempt records the attempt and when the next
// one is due, and releases the row, so retries wait in the store instead of on a sender. A
// worker claims only due rows of subscriptions whose circuit breaker is not pausing them,
// earliest due first, with a lease that covers one attempt of each.
#ifndef NEXUS_SERVICES_WEBHOOKS_WEBHOOK_SCHEDULE_H_
#define NEXUS_SERVICES_WEBHOOKS_WEBHOOK_SCHEDULE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/webhooks/webhook_delivery.h"
#include "storage/engine.h"

namespace nexus::services {

struct ScheduledDelivery {
  std::string delivery_id;  // "del_<16 hex>": X-Nexus-Delivery-Id of every attempt
  std::string subscription_id;
  WebhookEvent event;           // as the subscription may see it
  int64_t attempts = 0;         // made so far
  int64_t next_attempt_at = 0;  // microseconds since the epoch, UTC
};

// Inside a unit: schedules `event` for `subscription_id`, due at `due`.
Status ScheduleDelivery(storage::Tx& tx, const std::string& subscription_id,
                        const WebhookEvent& event, int64_t due);

// Claims up to `limit` deliveries due at `now` whose claim has lapsed and whose
// subscription is not paused, earliest due first (then oldest event), until `lease_until`.
// Rows another node holds locked are skipped on PostgreSQL.
StatusOr<std::vector<ScheduledDelivery>> ClaimDeliveries(storage::Engine& engine, int64_t now,
                                                         int64_t lease_until, int limit);

// Inside a unit: the delivery ended (delivered, given up, or its subscription is gone).
Status DeleteDelivery(storage::Tx& tx, const std::string& delivery_id);
// Inside a unit: a failed attempt; `attempts` made so far, the next one due at `due`.
Status RetryDeliveryAt(storage::Tx& tx, const std::string& delivery_id, int64_t attempts,
                       int64_t due);
// Inside a unit: gives the claim back without an attempt (postponed, or the worker stops).
Status ReleaseDelivery(storage::Tx& tx, const std::string& delivery_id);

// When the earliest unclaimed delivery of a subscription that is not paused is due; nullopt
// when there is none.
StatusOr<std::optional<int64_t>> NextDeliveryDue(storage::Engine& engine, int64_t now);

// Lapses every delivery claim; like ReleaseAllClaims, only for a store no other process uses.
Status ReleaseAllDeliveryClaims(storage::Engine& engine);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WEBHOOKS_WEBHOOK_SCHEDULE_H_

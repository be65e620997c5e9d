#include "services/webhooks/webhook_schedule.h"

#include <algorithm>
#include <tuple>

#include "storage/rows.h"
#include "util/ids.h"

namespace nexus::services {

using storage::Row;
using storage::Tx;

namespace {

constexpr const char* kColumns =
    "delivery_id, subscription_id, event_id, event_type, event_time, data, attempts,"
    " next_attempt_at";

// Rows a worker may take at `now` (two parameters, both `now`): unclaimed, and not of a
// subscription its circuit breaker pauses.
constexpr const char* kClaimable =
    " d.claimed_until <= ? AND NOT EXISTS (SELECT 1 FROM subscriptions s"
    " WHERE s.subscription_id = d.subscription_id AND s.paused_until > ?)";

ScheduledDelivery FromRow(const Row& r) {
  ScheduledDelivery d;
  d.delivery_id = r.Text(0);
  d.subscription_id = r.Text(1);
  d.event = WebhookEvent{r.Text(2), r.Text(3), r.Int(4), r.Text(5)};
  d.attempts = r.Int(6);
  d.next_attempt_at = r.Int(7);
  return d;
}

}  // namespace

Status ScheduleDelivery(Tx& tx, const std::string& subscription_id, const WebhookEvent& event,
                        int64_t due) {
  return tx
      .Exec(std::string("INSERT INTO webhook_deliveries (") + kColumns +
                ") VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
            {"del_" + RandomHex(8), subscription_id, event.id, event.type, event.timestamp,
             event.data_json, due})
      .status();
}

StatusOr<std::vector<ScheduledDelivery>> ClaimDeliveries(storage::Engine& engine, int64_t now,
                                                         int64_t lease_until, int limit) {
  const std::string lock =
      engine.dialect() == storage::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
  const std::string sql =
      std::string(
          "UPDATE webhook_deliveries SET claimed_until = ? WHERE delivery_id IN (SELECT"
          " d.delivery_id FROM webhook_deliveries d WHERE d.next_attempt_at <= ? AND") +
      kClaimable + " ORDER BY d.next_attempt_at, d.event_time, d.delivery_id LIMIT ?" + lock +
      ") RETURNING " + kColumns;
  // A read first, as for outbox events: an idle poll commits nothing.
  ASSIGN_OR_RETURN(const bool any,
                   storage::Exists(engine,
                                   std::string("SELECT 1 FROM webhook_deliveries d WHERE"
                                               " d.next_attempt_at <= ? AND") +
                                       kClaimable + " LIMIT 1",
                                   {now, now, now}));
  std::vector<ScheduledDelivery> out;
  if (!any) return out;
  RETURN_IF_ERROR(engine.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(
        out, storage::QueryAll(tx, sql, {lease_until, now, now, now, int64_t{limit}}, FromRow));
    return Status::OK();
  }));
  // RETURNING gives no order.
  std::sort(out.begin(), out.end(), [](const ScheduledDelivery& a, const ScheduledDelivery& b) {
    return std::tie(a.next_attempt_at, a.event.timestamp, a.delivery_id) <
           std::tie(b.next_attempt_at, b.event.timestamp, b.delivery_id);
  });
  return out;
}

Status DeleteDelivery(Tx& tx, const std::string& delivery_id) {
  return tx.Exec("DELETE FROM webhook_deliveries WHERE delivery_id = ?", {delivery_id}).status();
}

Status RetryDeliveryAt(Tx& tx, const std::string& delivery_id, int64_t attempts, int64_t due) {
  return tx
      .Exec(
          "UPDATE webhook_deliveries SET attempts = ?, next_attempt_at = ?, claimed_until = 0"
          " WHERE delivery_id = ?",
          {attempts, due, delivery_id})
      .status();
}

Status ReleaseDelivery(Tx& tx, const std::string& delivery_id) {
  return tx
      .Exec("UPDATE webhook_deliveries SET claimed_until = 0 WHERE delivery_id = ?", {delivery_id})
      .status();
}

StatusOr<std::optional<int64_t>> NextDeliveryDue(storage::Engine& engine, int64_t now) {
  std::optional<int64_t> due;
  RETURN_IF_ERROR(engine.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(
        const storage::Rows rows,
        tx.Query(std::string("SELECT MIN(d.next_attempt_at) FROM webhook_deliveries d WHERE") +
                     kClaimable,
                 {now, now}));
    due = rows.at(0).OptInt(0);
    return Status::OK();
  }));
  return due;
}

Status ReleaseAllDeliveryClaims(storage::Engine& engine) {
  return engine.Write([](Tx& tx) {
    return tx.Exec("UPDATE webhook_deliveries SET claimed_until = 0 WHERE claimed_until > 0")
        .status();
  });
}

}  // namespace nexus::services

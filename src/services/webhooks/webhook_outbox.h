// The outbox of webhook events: a row per change of a tenant's files, written in the
// transaction of the change itself, so that a committed change always has its event and a
// rolled-back one never does. A delivery worker claims rows with a lease and, in one unit,
// replaces each by its deliveries (services/webhooks/webhook_schedule.h, webhook_worker.h).
//
// Events are recorded only for tenants with at least one enabled subscription at the time
// of the change: the check is part of the one INSERT, so a change costs one statement.
// System-wide paths (/skill, /system) belong to no tenant and record nothing.
#ifndef NEXUS_SERVICES_WEBHOOKS_WEBHOOK_OUTBOX_H_
#define NEXUS_SERVICES_WEBHOOKS_WEBHOOK_OUTBOX_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "storage/engine.h"
#include "vfs/path_tree.h"

namespace nexus::services {

// The event types of api.md §2.1.
inline constexpr char kFileWrite[] = "file_write";
inline constexpr char kFileDelete[] = "file_delete";
inline constexpr char kFileRename[] = "file_rename";
inline constexpr char kMetadataChange[] = "metadata_change";

struct OutboxEvent {
  std::string event_id;  // "evt_<16 hex>": the row's key, and what receivers see
  std::string tenant_id;
  std::string type;                         // one of the event types above
  std::string path;                         // stored path; the new path of a rename
  std::optional<std::string> old_path;      // renames
  std::optional<std::string> etag;          // writes
  std::optional<int64_t> version;           // writes
  std::optional<int64_t> size;              // writes
  std::optional<std::string> metadata_key;  // metadata changes
  int64_t created_at = 0;                   // microseconds since the epoch, UTC
};

// Inside the change's unit: records `event` (its id and created_at are filled in here)
// when its tenant has an enabled subscription. True when a row was written.
StatusOr<bool> RecordEvent(storage::Tx& tx, OutboxEvent event);

// Path tree hooks that record an event for every new file version, deletion, rename and
// metadata change. `recorded` runs inside the unit when a row was written; `committed` is
// the tree's committed hook (vfs/path_tree.h).
vfs::PathTreeHooks OutboxHooks(std::function<void()> recorded, std::function<void()> committed);

// Claims up to `limit` events whose claim has lapsed (or never was), oldest first, until
// `lease_until`. Rows another node holds locked are skipped on PostgreSQL.
StatusOr<std::vector<OutboxEvent>> ClaimEvents(storage::Engine& engine, int64_t now,
                                               int64_t lease_until, int limit);

// Inside a unit: deletes the event `event_id` if the claim that ends at `claimed_until` still
// holds it; false when it lapsed and another claim took the event (or it is gone), so that
// only one claim schedules its deliveries.
StatusOr<bool> TakeEvent(storage::Tx& tx, const std::string& event_id, int64_t claimed_until);

// Lapses every claim. Only for a store no other process uses (SQLite, whose directory
// lock guarantees that): claims of a process that died are taken over at once.
Status ReleaseAllClaims(storage::Engine& engine);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WEBHOOKS_WEBHOOK_OUTBOX_H_

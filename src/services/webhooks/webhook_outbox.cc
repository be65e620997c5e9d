#include "services/webhooks/webhook_outbox.h"

#include <algorithm>
#include <tuple>

#include "auth/tenant_paths.h"
#include "storage/rows.h"
#include "util/clock.h"
#include "util/ids.h"

namespace nexus::services {

using storage::Row;
using storage::Tx;

namespace {

constexpr const char* kColumns =
    "event_id, tenant_id, event_type, path, old_path, etag, version, size, metadata_key,"
    " created_at";

// One statement: the event, only when the tenant has an enabled subscription. Casts tell
// PostgreSQL the parameters' types, which an INSERT ... SELECT does not.
constexpr const char* kInsert =
    "INSERT INTO webhook_outbox (event_id, tenant_id, event_type, path, old_path, etag, version,"
    " size, metadata_key, created_at) SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT),"
    " CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT),"
    " CAST(? AS TEXT), CAST(? AS BIGINT) WHERE EXISTS (SELECT 1 FROM subscriptions"
    " WHERE tenant_id = ? AND enabled = 1)";

OutboxEvent EventFromRow(const Row& r) {
  OutboxEvent e;
  e.event_id = r.Text(0);
  e.tenant_id = r.Text(1);
  e.type = r.Text(2);
  e.path = r.Text(3);
  e.old_path = r.OptText(4);
  e.etag = r.OptText(5);
  e.version = r.OptInt(6);
  e.size = r.OptInt(7);
  e.metadata_key = r.OptText(8);
  e.created_at = r.Int(9);
  return e;
}

// The hook body shared by every kind of change: record, and tell `recorded` if a row went in.
Status Record(Tx& tx, OutboxEvent event, const std::function<void()>& recorded) {
  ASSIGN_OR_RETURN(const bool written, RecordEvent(tx, std::move(event)));
  if (written && recorded) recorded();
  return Status::OK();
}

OutboxEvent EventAt(const char* type, const std::string& path) {
  OutboxEvent e;
  e.type = type;
  e.path = path;
  return e;
}

}  // namespace

StatusOr<bool> RecordEvent(Tx& tx, OutboxEvent e) {
  e.tenant_id = std::string(auth::StoredPathTenant(e.path));
  if (e.tenant_id.empty()) return false;
  e.event_id = "evt_" + RandomHex(8);
  e.created_at = NowMicros();
  ASSIGN_OR_RETURN(
      const int64_t n,
      tx.Exec(kInsert, {e.event_id, e.tenant_id, e.type, e.path, storage::OptionalValue(e.old_path),
                        storage::OptionalValue(e.etag), storage::OptionalValue(e.version),
                        storage::OptionalValue(e.size), storage::OptionalValue(e.metadata_key),
                        e.created_at, e.tenant_id}));
  return n > 0;
}

vfs::PathTreeHooks OutboxHooks(std::function<void()> recorded, std::function<void()> committed) {
  vfs::PathTreeHooks hooks;
  hooks.written = [recorded](Tx& tx, const vfs::FileInfo& info) {
    OutboxEvent e = EventAt(kFileWrite, info.path);
    e.etag = info.etag;
    e.version = info.version;
    e.size = info.size;
    return Record(tx, std::move(e), recorded);
  };
  hooks.removed = [recorded](Tx& tx, const std::string& path) {
    return Record(tx, EventAt(kFileDelete, path), recorded);
  };
  hooks.renamed = [recorded](Tx& tx, const std::string& from, const std::string& to) {
    OutboxEvent e = EventAt(kFileRename, to);
    e.old_path = from;
    return Record(tx, std::move(e), recorded);
  };
  hooks.metadata_changed = [recorded](Tx& tx, const std::string& path, const std::string& key) {
    OutboxEvent e = EventAt(kMetadataChange, path);
    e.metadata_key = key;
    return Record(tx, std::move(e), recorded);
  };
  hooks.committed = std::move(committed);
  return hooks;
}

StatusOr<std::vector<OutboxEvent>> ClaimEvents(storage::Engine& engine, int64_t now,
                                               int64_t lease_until, int limit) {
  // SQLite has one writer, so its claims never race; PostgreSQL nodes skip each other's
  // locked rows instead of waiting for them.
  const std::string lock =
      engine.dialect() == storage::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
  const std::string sql =
      "UPDATE webhook_outbox SET claimed_until = ? WHERE event_id IN (SELECT event_id FROM"
      " webhook_outbox WHERE claimed_until <= ? ORDER BY created_at, event_id LIMIT ?" +
      lock + ") RETURNING " + kColumns;
  // A read first: an idle worker polls every second, and must not commit (an fsync on
  // SQLite with durability full) to find nothing.
  ASSIGN_OR_RETURN(
      const bool any,
      storage::Exists(engine, "SELECT 1 FROM webhook_outbox WHERE claimed_until <= ? LIMIT 1",
                      {now}));
  std::vector<OutboxEvent> out;
  if (!any) return out;
  RETURN_IF_ERROR(engine.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(out,
                     storage::QueryAll(tx, sql, {lease_until, now, int64_t{limit}}, EventFromRow));
    return Status::OK();
  }));
  std::sort(out.begin(), out.end(), [](const OutboxEvent& a, const OutboxEvent& b) {
    return std::tie(a.created_at, a.event_id) < std::tie(b.created_at, b.event_id);
  });
  return out;
}

StatusOr<bool> TakeEvent(Tx& tx, const std::string& event_id, int64_t claimed_until) {
  ASSIGN_OR_RETURN(const int64_t n,
                   tx.Exec("DELETE FROM webhook_outbox WHERE event_id = ? AND claimed_until = ?",
                           {event_id, claimed_until}));
  return n > 0;
}

Status ReleaseAllClaims(storage::Engine& engine) {
  return engine.Write([](Tx& tx) {
    return tx.Exec("UPDATE webhook_outbox SET claimed_until = 0 WHERE claimed_until > 0").status();
  });
}

}  // namespace nexus::services

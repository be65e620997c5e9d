// Database API keys: creation, lookup, revocation and the admin listing (spec/api.md §5.4,
// §5.7), over the table `api_keys` (migrations/).
//
// Authenticate is the hot path of every request and never writes: lookups are cached in
// memory for at most `cache_ttl` (1 s by default). RevokeKey and UpdateKey take effect at
// once on this node, and, with a cluster (cluster/cluster.h), on every node of the database
// before they return: they mark the change and wait until every live node dropped its
// cached lookups (ForgetAll, which the node runs on the cluster's notice). And
// "last used" times are collected in memory and written in batches by FlushLastUsed (or the
// background flusher).
//
// Tenant scoping: the admin operations take `caller_tenant`, the tenant of the caller. Keys
// of other tenants are invisible to it (not found). An empty `caller_tenant` means the
// system (the `nexus` CLI, provisioning) and sees every tenant: never pass a request's
// tenant unchecked, pass the authenticated caller's, which is never empty. Keys stored
// without a tenant (rows carried over from the reference) belong to tenant "default".
//
// Thread-safe. The engine must outlive the store.
#ifndef NEXUS_AUTH_KEY_STORE_H_
#define NEXUS_AUTH_KEY_STORE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "auth/identity.h"
#include "cluster/cluster.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace nexus::auth {

// One key as the admin RPCs show it (never its hash). Times are microseconds since the
// epoch (UTC).
struct KeyRecord {
  std::string key_id;
  std::string user_id;
  std::string subject_type;
  std::string subject_id;
  std::string name;
  std::string tenant_id;  // empty for rows stored without one
  bool is_admin = false;
  bool is_system = false;  // the system administrator: administers every tenant
  bool inherit_permissions = false;
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;  // none: never expires
  bool revoked = false;
  std::optional<int64_t> revoked_at;
  std::optional<int64_t> last_used_at;  // includes uses not yet flushed
};

struct NewKey {
  std::string user_id;  // the owner; required
  std::string name;     // required
  bool is_admin = false;
  bool is_system = false;  // implies is_admin; only the system itself creates such keys
  std::optional<int64_t> expires_days;     // >= 1; none: never expires
  std::string tenant_id = kDefaultTenant;  // empty is stored as "default"
  std::string subject_type = "user";       // user, agent or service (empty = user)
  std::string subject_id;                  // empty = user_id
  // Registers this token instead of generating one (e.g. NEXUS_ADMIN_API_KEY). It must be
  // well-formed; a token already registered is kAlreadyExists.
  std::optional<std::string> raw_key;
  bool inherit_permissions = false;
};

struct CreatedKey {
  std::string api_key;  // the raw token: shown once, never stored
  KeyRecord record;
};

struct KeyFilter {
  std::optional<std::string> user_id;
  std::optional<std::string> tenant_id;
  std::optional<bool> is_admin;
  bool include_revoked = false;
  bool include_expired = false;
  int64_t limit = 100;  // 1..1000
  int64_t offset = 0;   // >= 0
};

struct KeyPage {
  std::vector<KeyRecord> keys;  // newest first
  int64_t total = 0;            // keys matching the filter, before limit and offset
};

// The fields to change; none = leave as is.
struct KeyUpdate {
  std::optional<int64_t> expires_days;  // >= 1: expire that many days from now
  std::optional<bool> is_admin;
  std::optional<std::string> name;
};

struct KeyStoreOptions {
  // How long a lookup (valid or not) is reused without asking the database.
  std::chrono::milliseconds cache_ttl{1000};
  // Bound on cached lookups, separately for valid and invalid tokens, so that a flood of
  // made-up tokens cannot grow memory or push out the valid ones.
  size_t max_cached_lookups = 10000;
  // Wall clock for expiry and timestamps (microseconds since the epoch); tests replace it.
  std::function<int64_t()> now;  // empty: NowMicros
  // The nodes sharing the database, told of revocations and changes; null: this node alone.
  cluster::Cluster* cluster = nullptr;
};

class KeyStore {
 public:
  explicit KeyStore(storage::Engine& engine, KeyStoreOptions options = {});
  // Stops the background flusher and flushes pending last-used times (errors are dropped).
  ~KeyStore();

  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  // The identity of an active key, or none for a malformed, unknown, revoked or expired
  // token. A malformed token never reaches the database. Errors are the database's.
  StatusOr<std::optional<Identity>> Authenticate(std::string_view token);

  // Writes the last-used times collected since the previous flush, in one write unit. On
  // failure they are kept for the next attempt.
  Status FlushLastUsed();
  // Flushes every `period` on a thread of its own until StopBackgroundFlush or destruction,
  // then once more. A second call while running does nothing.
  void StartBackgroundFlush(std::chrono::milliseconds period);
  void StopBackgroundFlush();

  // Creates a key for `key.tenant_id`; a caller scoped to another tenant gets
  // kPermissionDenied. Invalid fields are kInvalidArgument.
  StatusOr<CreatedKey> CreateKey(std::string_view caller_tenant, const NewKey& key);

  StatusOr<KeyPage> ListKeys(std::string_view caller_tenant, const KeyFilter& filter);

  // kNotFound "API key not found: <id>" for unknown keys and keys of other tenants.
  StatusOr<KeyRecord> GetKey(std::string_view caller_tenant, std::string_view key_id);

  // Revokes the key (already revoked: OK, unchanged). Refuses with kInvalidArgument to
  // revoke the last active admin key of its tenant, which would lock the tenant out.
  Status RevokeKey(std::string_view caller_tenant, std::string_view key_id);

  // Applies the given fields and returns the key as it is now. Refuses with
  // kInvalidArgument to take admin rights from the last active admin key of its tenant.
  StatusOr<KeyRecord> UpdateKey(std::string_view caller_tenant, std::string_view key_id,
                                const KeyUpdate& update);

  // Whether `tenant_id` has an unrevoked, unexpired admin key (empty: any tenant).
  StatusOr<bool> HasActiveAdminKey(std::string_view tenant_id);

  // Drops every cached lookup: another node changed a key.
  void ForgetAll() EXCLUDES(cache_mu_);

 private:
  struct CachedLookup {
    std::optional<Identity> identity;  // none: no active key has this hash
    std::chrono::steady_clock::time_point loaded_at;
  };
  using LookupCache = std::unordered_map<std::string, CachedLookup>;

  int64_t Now() const;
  // A fresh cached lookup of `hash`, if any; `generation` receives the cache generation to
  // hand to Remember after a database lookup.
  std::optional<CachedLookup> FindCached(const std::string& hash, uint64_t* generation)
      EXCLUDES(cache_mu_);
  // Caches a database lookup unless a key changed since `generation` was read (the lookup
  // may predate the change).
  void Remember(const std::string& hash, CachedLookup lookup, uint64_t generation)
      EXCLUDES(cache_mu_);
  // Drops the cached lookup of `hash`: the key was created, revoked or changed.
  void Forget(const std::string& hash) EXCLUDES(cache_mu_);
  // In a unit that revokes or changes a key: tells the other nodes when it commits.
  Status MarkChanged(storage::Tx& tx) const;
  // After such a unit: waits until the other nodes dropped what they cached.
  void AwaitOtherNodes() const;
  static void Insert(LookupCache& cache, size_t max, std::chrono::milliseconds ttl,
                     const std::string& hash, CachedLookup entry);

  void NoteUsed(const std::string& key_id, int64_t when) EXCLUDES(last_used_mu_);
  void AddPendingLastUsed(KeyRecord& record) EXCLUDES(last_used_mu_);
  void FlushLoop(std::chrono::milliseconds period) EXCLUDES(flush_mu_);
  // Sleeps up to `period`; whether StopBackgroundFlush was called.
  bool FlushStoppedWithin(std::chrono::milliseconds period) EXCLUDES(flush_mu_);

  storage::Engine& engine_;
  const KeyStoreOptions options_;

  Mutex cache_mu_;
  LookupCache valid_ GUARDED_BY(cache_mu_);
  LookupCache invalid_ GUARDED_BY(cache_mu_);
  uint64_t generation_ GUARDED_BY(cache_mu_) = 0;  // bumped by Forget and ForgetAll

  Mutex last_used_mu_;
  std::unordered_map<std::string, int64_t> last_used_ GUARDED_BY(last_used_mu_);

  Mutex flush_mu_;
  CondVar flush_cv_;
  bool stop_flush_ GUARDED_BY(flush_mu_) = false;
  std::thread flusher_;  // started and joined by the owner's thread
};

// Migrations 2 and 4, api_keys: generated from migrations/*.sql by cmake/migrations.cmake. Declared
// with the store that owns the table, as auth has no single face header.
std::span<const storage::Migration> Schema();

}  // namespace nexus::auth

#endif  // NEXUS_AUTH_KEY_STORE_H_

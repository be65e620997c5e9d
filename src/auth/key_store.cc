#include "auth/key_store.h"

#include <algorithm>
#include <utility>

#include "auth/api_key.h"
#include "storage/rows.h"
#include "util/background.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/path.h"

namespace nexus::auth {

using storage::Params;
using storage::Row;
using storage::Rows;
using storage::Tx;

namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000 * 1000;
// About the year 9999 from now: the last instant the RPCs can print as an ISO timestamp.
constexpr int64_t kMaxExpiresDays = 2'900'000;
constexpr size_t kMaxTextBytes = 255;  // the reference's column sizes
constexpr int64_t kMaxListLimit = 1000;

constexpr std::string_view kRecordColumns =
    "key_id, user_id, subject_type, subject_id, name, tenant_id, is_admin,"
    " inherit_permissions, created_at, expires_at, revoked, revoked_at, last_used_at, is_system";
// The number of kRecordColumns: a column selected after them is at this index.
constexpr size_t kRecordColumnCount = 14;

// A key row with its hash, which the cache is keyed by.
struct StoredKey {
  KeyRecord record;
  std::string key_hash;
};

// Rows carried over from the reference may lack subject_type or subject_id; it read them
// as "user" and the owner.
KeyRecord RecordFromRow(const Row& row) {
  KeyRecord r;
  r.key_id = row.Text(0);
  r.user_id = row.Text(1);
  r.subject_type = row.Text(2).empty() ? "user" : row.Text(2);  // Text is empty for NULL
  r.subject_id = row.Text(3).empty() ? r.user_id : row.Text(3);
  r.name = row.Text(4);
  r.tenant_id = row.Text(5);
  r.is_admin = row.Int(6) != 0;
  r.inherit_permissions = row.Int(7) != 0;
  r.created_at = row.Int(8);
  r.expires_at = row.OptInt(9);
  r.revoked = row.Int(10) != 0;
  r.revoked_at = row.OptInt(11);
  r.last_used_at = row.OptInt(12);
  r.is_system = row.Int(13) != 0;
  return r;
}

Identity IdentityFromRecord(const KeyRecord& r) {
  Identity id;
  id.subject_type = r.subject_type;
  id.subject_id = r.subject_id;
  id.tenant_id = r.tenant_id;
  id.user_id = r.user_id;
  if (r.subject_type == "agent") id.agent_id = r.subject_id;
  id.is_admin = r.is_admin;
  id.is_system = r.is_system;
  id.inherit_permissions = r.inherit_permissions;
  id.key_id = r.key_id;
  id.key_name = r.name;
  id.expires_at = r.expires_at;
  return id;
}

// Expiry is inclusive, as in the reference: a key is rejected once now > expires_at.
bool IsActive(const KeyRecord& r, int64_t now) {
  return !r.revoked && (!r.expires_at || now <= *r.expires_at);
}

bool HasControlChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// Identifiers and names arrive as RPC parameters: bound them, and keep out what storage
// cannot hold (NUL, invalid UTF-8) and what would garble logs and headers (control
// characters).
Status CheckText(std::string_view field, std::string_view value, bool required) {
  const std::string f(field);
  if (value.empty()) return required ? InvalidArgument(f + " is required") : Status::OK();
  if (value.size() > kMaxTextBytes) {
    return InvalidArgument(f + " is too long (at most " + std::to_string(kMaxTextBytes) +
                           " bytes)");
  }
  if (!IsValidUtf8(value) || HasControlChars(value)) {
    return InvalidArgument(f + " contains control characters or invalid UTF-8");
  }
  return Status::OK();
}

Status CheckExpiresDays(const std::optional<int64_t>& days) {
  if (days && (*days < 1 || *days > kMaxExpiresDays)) {
    return InvalidArgument("expires_days must be between 1 and " + std::to_string(kMaxExpiresDays) +
                           ", got " + std::to_string(*days));
  }
  return Status::OK();
}

// An unknown key id and a malformed one look the same to the caller; only a clean id is
// echoed into the message, which ends up in JSON and logs.
Status KeyNotFound(std::string_view key_id) {
  if (CheckText("key_id", key_id, true).ok()) {
    return NotFound("API key not found: " + std::string(key_id));
  }
  return NotFound("API key not found");
}

// A conjunction of SQL conditions with their parameters, in order.
class Conditions {
 public:
  void Add(std::string condition, Params params = {}) {
    sql_ += sql_.empty() ? " WHERE " : " AND ";
    sql_ += condition;
    for (auto& p : params) params_.push_back(std::move(p));
  }

  // Keys of `tenant`; rows stored without a tenant belong to "default".
  void AddTenant(std::string_view tenant) {
    Add(tenant == kDefaultTenant ? "(tenant_id = ? OR tenant_id IS NULL)" : "tenant_id = ?",
        {std::string(tenant)});
  }

  const std::string& sql() const { return sql_; }
  const Params& params() const { return params_; }

 private:
  std::string sql_;
  Params params_;
};

// Unrevoked, unexpired admin keys, of `tenant` unless it is empty.
Conditions ActiveAdmins(std::string_view tenant, int64_t now) {
  Conditions where;
  where.Add("is_admin = 1");
  where.Add("revoked = 0");
  where.Add("(expires_at IS NULL OR expires_at >= ?)", {now});
  if (!tenant.empty()) where.AddTenant(tenant);
  return where;
}

StatusOr<int64_t> Count(Tx& tx, const Conditions& where) {
  ASSIGN_OR_RETURN(Rows rows,
                   tx.Query("SELECT COUNT(*) FROM api_keys" + where.sql(), where.params()));
  return rows.at(0).Int(0);
}

// Refuses a change that leaves the tenant of `key` (an admin key) without an active admin
// key: nobody could manage its keys any more.
Status CheckNotLastAdmin(Tx& tx, const KeyRecord& key, int64_t now, std::string message) {
  if (!key.is_admin || !IsActive(key, now)) return Status::OK();
  const std::string tenant = key.tenant_id.empty() ? kDefaultTenant : key.tenant_id;
  Conditions others = ActiveAdmins(tenant, now);
  others.Add("key_id <> ?", {key.key_id});
  ASSIGN_OR_RETURN(const int64_t count, Count(tx, others));
  if (count == 0) return InvalidArgument(std::move(message));
  return Status::OK();
}

StatusOr<StoredKey> LoadStoredKey(Tx& tx, std::string_view caller_tenant, std::string_view key_id) {
  if (!CheckText("key_id", key_id, true).ok()) return KeyNotFound(key_id);
  Conditions where;
  where.Add("key_id = ?", {std::string(key_id)});
  if (!caller_tenant.empty()) where.AddTenant(caller_tenant);
  ASSIGN_OR_RETURN(Rows rows, tx.Query(std::string("SELECT ") + std::string(kRecordColumns) +
                                           ", key_hash FROM api_keys" + where.sql(),
                                       where.params()));
  if (rows.empty()) return KeyNotFound(key_id);
  return StoredKey{RecordFromRow(rows[0]), rows[0].Text(kRecordColumnCount)};
}

StatusOr<std::optional<Identity>> LoadIdentity(storage::Engine& engine, const std::string& hash) {
  ASSIGN_OR_RETURN(const std::optional<KeyRecord> record,
                   storage::ReadFirst(engine,
                                      std::string("SELECT ") + std::string(kRecordColumns) +
                                          " FROM api_keys WHERE key_hash = ? AND revoked = 0",
                                      {hash}, RecordFromRow));
  if (!record) return std::optional<Identity>();
  return std::optional<Identity>(IdentityFromRecord(*record));
}

// The fields of a new key's record that come from the request, validated.
StatusOr<KeyRecord> RecordForNewKey(const NewKey& key) {
  RETURN_IF_ERROR(CheckText("user_id", key.user_id, true));
  RETURN_IF_ERROR(CheckText("name", key.name, true));
  RETURN_IF_ERROR(CheckText("tenant_id", key.tenant_id, false));
  RETURN_IF_ERROR(CheckText("subject_id", key.subject_id, false));
  RETURN_IF_ERROR(CheckExpiresDays(key.expires_days));
  RETURN_IF_ERROR(CheckText("subject_type", key.subject_type, false));
  KeyRecord r;
  r.subject_type = key.subject_type.empty() ? "user" : key.subject_type;
  if (r.subject_type != "user" && r.subject_type != "agent" && r.subject_type != "service") {
    return InvalidArgument("subject_type must be user, agent or service, got '" + r.subject_type +
                           "'");
  }
  r.user_id = key.user_id;
  r.subject_id = key.subject_id.empty() ? key.user_id : key.subject_id;
  r.name = key.name;
  r.tenant_id = key.tenant_id.empty() ? kDefaultTenant : key.tenant_id;
  r.is_admin = key.is_admin || key.is_system;
  r.is_system = key.is_system;
  r.inherit_permissions = key.inherit_permissions;
  return r;
}

}  // namespace

KeyStore::KeyStore(storage::Engine& engine, KeyStoreOptions options)
    : engine_(engine), options_(std::move(options)) {}

KeyStore::~KeyStore() {
  StopBackgroundFlush();
  // Whatever the flusher did not get to. Nobody is left to report a failure to, and the
  // times are hints (when a key was last used), not data a caller wrote.
  (void)FlushLastUsed();
}

int64_t KeyStore::Now() const { return options_.now ? options_.now() : NowMicros(); }

// ---------------------------------------------------------------------------------------
// Authentication and its cache.

StatusOr<std::optional<Identity>> KeyStore::Authenticate(std::string_view token) {
  if (!IsWellFormedApiKey(token)) return std::optional<Identity>();
  const std::string hash = HashApiKey(token);
  uint64_t generation = 0;
  std::optional<Identity> identity;
  if (std::optional<CachedLookup> cached = FindCached(hash, &generation)) {
    identity = std::move(cached->identity);
  } else {
    // The entry's age counts from before the read, so it never outlives what the database
    // said by more than the cache lifetime.
    const auto asked_at = std::chrono::steady_clock::now();
    ASSIGN_OR_RETURN(identity, LoadIdentity(engine_, hash));
    Remember(hash, CachedLookup{identity, asked_at}, generation);
  }
  const int64_t now = Now();
  if (!identity || (identity->expires_at && now > *identity->expires_at)) {
    return std::optional<Identity>();
  }
  NoteUsed(identity->key_id, now);
  return identity;
}

std::optional<KeyStore::CachedLookup> KeyStore::FindCached(const std::string& hash,
                                                           uint64_t* generation) {
  const auto now = std::chrono::steady_clock::now();
  MutexLock l(&cache_mu_);
  *generation = generation_;
  for (LookupCache* cache : {&valid_, &invalid_}) {
    auto it = cache->find(hash);
    if (it == cache->end()) continue;
    if (now - it->second.loaded_at < options_.cache_ttl) return it->second;
    cache->erase(it);
  }
  return std::nullopt;
}

void KeyStore::Remember(const std::string& hash, CachedLookup lookup, uint64_t generation) {
  const bool valid = lookup.identity.has_value();
  MutexLock l(&cache_mu_);
  if (generation != generation_) return;
  Insert(valid ? valid_ : invalid_, options_.max_cached_lookups, options_.cache_ttl, hash,
         std::move(lookup));
}

void KeyStore::Insert(LookupCache& cache, size_t max, std::chrono::milliseconds ttl,
                      const std::string& hash, CachedLookup entry) {
  if (max == 0) return;
  if (cache.size() >= max && cache.find(hash) == cache.end()) {
    // Drop what has gone stale; if all of it is fresh, start over. Simpler than LRU, and a
    // full cache means a flood of made-up tokens or far more keys in use than expected.
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(cache, [&](const auto& kv) { return now - kv.second.loaded_at >= ttl; });
    if (cache.size() >= max) cache.clear();
  }
  cache.insert_or_assign(hash, std::move(entry));
}

void KeyStore::Forget(const std::string& hash) {
  MutexLock l(&cache_mu_);
  ++generation_;
  valid_.erase(hash);
  invalid_.erase(hash);
}

void KeyStore::ForgetAll() {
  MutexLock l(&cache_mu_);
  ++generation_;
  valid_.clear();
  invalid_.clear();
}

Status KeyStore::MarkChanged(Tx& tx) const {
  if (options_.cluster == nullptr) return Status::OK();
  return cluster::Cluster::MarkChanged(tx, cluster::kApiKeysTopic);
}

void KeyStore::AwaitOtherNodes() const {
  if (options_.cluster != nullptr) options_.cluster->AwaitPropagation();
}

// ---------------------------------------------------------------------------------------
// Last-used times: collected here, written in batches, never on the request path.

void KeyStore::NoteUsed(const std::string& key_id, int64_t when) {
  MutexLock l(&last_used_mu_);
  int64_t& t = last_used_[key_id];
  t = std::max(t, when);
}

void KeyStore::AddPendingLastUsed(KeyRecord& record) {
  MutexLock l(&last_used_mu_);
  auto it = last_used_.find(record.key_id);
  if (it == last_used_.end()) return;
  if (!record.last_used_at || *record.last_used_at < it->second) record.last_used_at = it->second;
}

Status KeyStore::FlushLastUsed() {
  std::unordered_map<std::string, int64_t> batch;
  {
    MutexLock l(&last_used_mu_);
    batch.swap(last_used_);
  }
  if (batch.empty()) return Status::OK();
  // The condition keeps a slower, older flush from moving a time backwards.
  Status s = engine_.Write([&](Tx& tx) -> Status {
    for (const auto& [key_id, when] : batch) {
      RETURN_IF_ERROR(tx.Exec("UPDATE api_keys SET last_used_at = ? WHERE key_id = ?"
                              " AND (last_used_at IS NULL OR last_used_at < ?)",
                              {when, key_id, when})
                          .status());
    }
    return Status::OK();
  });
  if (!s.ok()) {
    MutexLock l(&last_used_mu_);
    for (const auto& [key_id, when] : batch) {
      int64_t& t = last_used_[key_id];
      t = std::max(t, when);
    }
  }
  return s;
}

void KeyStore::StartBackgroundFlush(std::chrono::milliseconds period) {
  MutexLock l(&flush_mu_);
  if (flusher_.joinable()) return;
  stop_flush_ = false;
  flusher_ = std::thread([this, period] { FlushLoop(period); });
}

void KeyStore::StopBackgroundFlush() {
  {
    MutexLock l(&flush_mu_);
    if (!flusher_.joinable()) return;
    stop_flush_ = true;
  }
  flush_cv_.SignalAll();
  flusher_.join();
}

void KeyStore::FlushLoop(std::chrono::milliseconds period) {
  // A failed flush keeps the times: for the next round, or after the last one for the
  // destructor's flush.
  const auto flush = [this] { (void)FlushLastUsed(); };
  while (!FlushStoppedWithin(period)) RunGuarded("key_store_flush", flush);
  RunGuarded("key_store_flush", flush);
}

bool KeyStore::FlushStoppedWithin(std::chrono::milliseconds period) {
  MutexLock l(&flush_mu_);
  return flush_cv_.WaitFor(&flush_mu_, period,
                           [this]() REQUIRES(flush_mu_) { return stop_flush_; });
}

// ---------------------------------------------------------------------------------------
// Administration.

StatusOr<CreatedKey> KeyStore::CreateKey(std::string_view caller_tenant, const NewKey& key) {
  ASSIGN_OR_RETURN(KeyRecord record, RecordForNewKey(key));
  if (!caller_tenant.empty() && record.tenant_id != caller_tenant) {
    return PermissionDenied("Cannot create an API key for tenant '" + record.tenant_id +
                            "' from tenant '" + std::string(caller_tenant) + "'");
  }
  if (key.is_system && !caller_tenant.empty()) {
    return PermissionDenied("Only the system creates system administrator keys");
  }
  CreatedKey created;
  if (key.raw_key) {
    if (!IsWellFormedApiKey(*key.raw_key)) {
      return InvalidArgument(
          "API key must start with 'sk-' and be 32 to 256 printable ASCII characters");
    }
    created.api_key = *key.raw_key;
  } else {
    created.api_key =
        GenerateApiKey(record.tenant_id,
                       ApiKeySubjectPrefix(record.subject_type, record.user_id, record.subject_id));
  }
  const std::string hash = HashApiKey(created.api_key);
  record.key_id = NewUuid4();
  record.created_at = Now();
  if (key.expires_days) record.expires_at = record.created_at + *key.expires_days * kMicrosPerDay;

  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows existing, tx.Query("SELECT 1 FROM api_keys WHERE key_hash = ?", {hash}));
    if (!existing.empty()) return AlreadyExists("API key already registered");
    return tx
        .Exec(
            "INSERT INTO api_keys (key_id, key_hash, user_id, subject_type, subject_id,"
            " tenant_id, is_admin, inherit_permissions, name, created_at, expires_at, revoked,"
            " is_system) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            {record.key_id, hash, record.user_id, record.subject_type, record.subject_id,
             record.tenant_id, int64_t{record.is_admin}, int64_t{record.inherit_permissions},
             record.name, record.created_at, storage::OptionalValue(record.expires_at),
             int64_t{record.is_system}})
        .status();
  }));
  Forget(hash);  // a lookup of this token just before may have cached "invalid"
  created.record = std::move(record);
  return created;
}

StatusOr<KeyPage> KeyStore::ListKeys(std::string_view caller_tenant, const KeyFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxListLimit) {
    return InvalidArgument("limit must be between 1 and " + std::to_string(kMaxListLimit) +
                           ", got " + std::to_string(filter.limit));
  }
  if (filter.offset < 0) {
    return InvalidArgument("offset must not be negative, got " + std::to_string(filter.offset));
  }
  if (filter.user_id) RETURN_IF_ERROR(CheckText("user_id", *filter.user_id, false));
  if (filter.tenant_id) RETURN_IF_ERROR(CheckText("tenant_id", *filter.tenant_id, false));

  Conditions where;
  if (!caller_tenant.empty()) where.AddTenant(caller_tenant);
  if (filter.user_id) where.Add("user_id = ?", {*filter.user_id});
  if (filter.tenant_id) where.AddTenant(*filter.tenant_id);
  if (filter.is_admin) where.Add("is_admin = ?", {int64_t{*filter.is_admin}});
  if (!filter.include_revoked) where.Add("revoked = 0");
  if (!filter.include_expired) where.Add("(expires_at IS NULL OR expires_at >= ?)", {Now()});

  Params page_params = where.params();
  page_params.push_back(filter.limit);
  page_params.push_back(filter.offset);
  const std::string page_sql = std::string("SELECT ") + std::string(kRecordColumns) +
                               " FROM api_keys" + where.sql() +
                               " ORDER BY created_at DESC, key_id LIMIT ? OFFSET ?";
  KeyPage page;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(page.total, Count(tx, where));
    ASSIGN_OR_RETURN(Rows rows, tx.Query(page_sql, page_params));
    page.keys.clear();
    for (const Row& row : rows) page.keys.push_back(RecordFromRow(row));
    return Status::OK();
  }));
  for (KeyRecord& r : page.keys) AddPendingLastUsed(r);
  return page;
}

StatusOr<KeyRecord> KeyStore::GetKey(std::string_view caller_tenant, std::string_view key_id) {
  KeyRecord record;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(StoredKey key, LoadStoredKey(tx, caller_tenant, key_id));
    record = std::move(key.record);
    return Status::OK();
  }));
  AddPendingLastUsed(record);
  return record;
}

Status KeyStore::RevokeKey(std::string_view caller_tenant, std::string_view key_id) {
  const int64_t now = Now();
  std::string hash;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(StoredKey key, LoadStoredKey(tx, caller_tenant, key_id));
    hash = key.key_hash;
    if (key.record.revoked) return Status::OK();
    RETURN_IF_ERROR(CheckNotLastAdmin(tx, key.record, now, "Cannot revoke the last admin key"));
    RETURN_IF_ERROR(tx.Exec("UPDATE api_keys SET revoked = 1, revoked_at = ? WHERE key_id = ?",
                            {now, key.record.key_id})
                        .status());
    return MarkChanged(tx);
  }));
  Forget(hash);
  AwaitOtherNodes();
  return Status::OK();
}

StatusOr<KeyRecord> KeyStore::UpdateKey(std::string_view caller_tenant, std::string_view key_id,
                                        const KeyUpdate& update) {
  RETURN_IF_ERROR(CheckExpiresDays(update.expires_days));
  if (update.name) RETURN_IF_ERROR(CheckText("name", *update.name, true));
  const int64_t now = Now();
  KeyRecord result;
  std::string hash;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(StoredKey key, LoadStoredKey(tx, caller_tenant, key_id));
    hash = key.key_hash;
    KeyRecord& r = key.record;
    if (update.is_admin.has_value() && !*update.is_admin) {
      RETURN_IF_ERROR(
          CheckNotLastAdmin(tx, r, now, "Cannot remove admin rights from the last admin key"));
    }
    if (update.expires_days) r.expires_at = now + *update.expires_days * kMicrosPerDay;
    if (update.is_admin) r.is_admin = *update.is_admin;
    if (update.name) r.name = *update.name;
    RETURN_IF_ERROR(
        tx.Exec("UPDATE api_keys SET name = ?, is_admin = ?, expires_at = ? WHERE key_id = ?",
                {r.name, int64_t{r.is_admin}, storage::OptionalValue(r.expires_at), r.key_id})
            .status());
    result = std::move(r);
    return MarkChanged(tx);
  }));
  Forget(hash);
  AwaitOtherNodes();
  AddPendingLastUsed(result);
  return result;
}

StatusOr<bool> KeyStore::HasActiveAdminKey(std::string_view tenant_id) {
  const Conditions where = ActiveAdmins(tenant_id, Now());
  int64_t count = 0;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(count, Count(tx, where));
    return Status::OK();
  }));
  return count > 0;
}

}  // namespace nexus::auth

#include "services/webhooks/subscriptions.h"

#include <arpa/inet.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/tenant_paths.h"
#include "storage/rows.h"
#include "util/ascii.h"
#include "util/clock.h"
#include "util/glob.h"
#include "util/ids.h"
#include "util/ip_address.h"
#include "util/url.h"

namespace nexus::services {

using Json = nlohmann::json;
using storage::Row;
using storage::Tx;

namespace {

constexpr const char* kColumns =
    "subscription_id, tenant_id, url, event_types, patterns, secret, name, description,"
    " metadata, enabled, path_scope, last_delivery_at, last_delivery_status,"
    " consecutive_failures, created_at, updated_at, created_by, failed_attempts, paused_until";

constexpr const char* kEventTypes[] = {kFileWrite, kFileDelete, kFileRename, kMetadataChange};
constexpr size_t kMaxPatterns = 64;
constexpr size_t kMaxEventTypes = 16;
constexpr size_t kMaxNameBytes = 255;
constexpr size_t kMaxDescriptionBytes = 4096;
constexpr size_t kMaxSecretBytes = 1024;
constexpr size_t kMaxMetadataBytes = 16384;

std::string JsonList(const std::vector<std::string>& items) { return Json(items).dump(); }

std::vector<std::string> ListFromJson(const std::string& text) {
  if (text.empty()) return {};
  return Json::parse(text).get<std::vector<std::string>>();
}

Subscription FromRow(const Row& r) {
  Subscription s;
  s.id = r.Text(0);
  s.tenant_id = r.Text(1);
  s.url = r.Text(2);
  s.event_types = ListFromJson(r.Text(3));
  s.patterns = ListFromJson(r.Text(4));
  s.secret = r.Text(5);
  s.name = r.OptText(6);
  s.description = r.OptText(7);
  s.metadata_json = r.IsNull(8) ? "{}" : r.Text(8);
  s.enabled = r.Int(9) != 0;
  s.path_scope = r.Text(10);
  s.last_delivery_at = r.OptInt(11);
  s.last_delivery_status = r.OptText(12);
  s.consecutive_failures = r.Int(13);
  s.created_at = r.Int(14);
  s.updated_at = r.Int(15);
  s.created_by = r.Text(16);
  s.failed_attempts = r.Int(17);
  s.paused_until = r.Int(18);
  return s;
}

std::string TenantOf(const auth::Identity& caller) {
  return caller.tenant_id.empty() ? auth::kDefaultTenant : caller.tenant_id;
}

std::string CreatorOf(const auth::Identity& caller) {
  return caller.subject_id.empty() ? auth::kAnonymousSubject : caller.subject_id;
}

// The WHERE clause of what `caller` sees: the tenant's subscriptions for an admin, its own
// otherwise.
std::string VisibleTo(const auth::Identity& caller, storage::Params& params) {
  params.push_back(TenantOf(caller));
  if (caller.is_admin) return " WHERE tenant_id = ?";
  params.push_back(CreatorOf(caller));
  return " WHERE tenant_id = ? AND created_by = ?";
}

Status Missing() { return NotFound("Subscription not found"); }

Status Invalid(std::string message) { return Status(Code::kValidation, std::move(message)); }

Status CheckLength(const std::optional<std::string>& value, size_t max, const char* field) {
  if (value && value->size() > max)
    return Invalid(std::string(field) + " is longer than " + std::to_string(max) + " bytes");
  return Status::OK();
}

bool IsLoopbackOrUnspecified(const std::string& host) {
  if (host == "localhost" || host.ends_with(".localhost")) return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    const uint32_t a = ntohl(v4.s_addr);
    return (a >> 24) == 127 || a == 0;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6) || IN6_IS_ADDR_UNSPECIFIED(&v6)) return true;
  if (!IN6_IS_ADDR_V4MAPPED(&v6)) return false;
  const uint8_t* b = v6.s6_addr;
  return b[12] == 127 || (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 0);
}

// Applies the set fields of `f` to `s`.
void Apply(const SubscriptionFields& f, Subscription& s) {
  if (f.url) s.url = *f.url;
  if (f.event_types) s.event_types = *f.event_types;
  if (f.patterns) s.patterns = *f.patterns;
  if (f.secret) s.secret = *f.secret;
  const auto clearable = [](const std::optional<std::string>& v, std::optional<std::string>& out) {
    if (v) out = v->empty() ? std::nullopt : v;
  };
  clearable(f.name, s.name);
  clearable(f.description, s.description);
  if (f.metadata_json) s.metadata_json = *f.metadata_json;
  if (f.enabled) s.enabled = *f.enabled;
}

storage::Params RowParams(const Subscription& s) {
  return {s.id,
          s.tenant_id,
          s.url,
          JsonList(s.event_types),
          s.patterns.empty() ? storage::Null() : storage::Value(JsonList(s.patterns)),
          s.secret.empty() ? storage::Null() : storage::Value(s.secret),
          storage::OptionalValue(s.name),
          storage::OptionalValue(s.description),
          s.metadata_json,
          int64_t{s.enabled},
          s.path_scope,
          storage::OptionalValue(s.last_delivery_at),
          storage::OptionalValue(s.last_delivery_status),
          s.consecutive_failures,
          s.created_at,
          s.updated_at,
          s.created_by,
          s.failed_attempts,
          s.paused_until};
}

}  // namespace

Status SubscriptionService::ValidateUrl(const std::string& url) const {
  StatusOr<HttpUrl> parsed = ParseHttpUrl(url);
  if (!parsed.ok()) return Invalid("url: " + parsed.status().message());
  // What a literal or a loopback name shows now; a name resolving to such an address is
  // refused when a delivery connects (OutboundRequest::public_addresses_only).
  if (!delivery_.allow_private_networks &&
      (IsPublicIpLiteral(parsed->host) == false || IsLoopbackOrUnspecified(parsed->host))) {
    return Invalid("url: " + parsed->host +
                   " is not a public address; receivers on loopback or private networks need "
                   "webhooks.allow_private_networks (--webhook-allow-private-networks)");
  }
  const uint16_t own_port = own_port_;
  if (own_port != 0 && parsed->port == own_port &&
      (IsLoopbackOrUnspecified(parsed->host) || parsed->host == AsciiLower(own_host_))) {
    return Invalid("url points back at this server (" + parsed->HostHeader() +
                   "); a webhook must go to another service");
  }
  return Status::OK();
}

Status SubscriptionService::Validate(const SubscriptionFields& f) const {
  if (f.url) RETURN_IF_ERROR(ValidateUrl(*f.url));
  if (f.event_types) {
    if (f.event_types->size() > kMaxEventTypes) return Invalid("too many event_types");
    for (const std::string& type : *f.event_types) {
      if (std::find(std::begin(kEventTypes), std::end(kEventTypes), type) ==
          std::end(kEventTypes)) {
        return Invalid("unknown event type '" + type +
                       "' (allowed: file_write, file_delete, file_rename, metadata_change)");
      }
    }
  }
  if (f.patterns) {
    if (f.patterns->size() > kMaxPatterns)
      return Invalid("at most " + std::to_string(kMaxPatterns) + " patterns");
    for (const std::string& pattern : *f.patterns) {
      StatusOr<GlobMatcher> glob = GlobMatcher::Compile(pattern);
      if (!glob.ok())
        return Invalid("invalid pattern '" + pattern + "': " + glob.status().message());
    }
  }
  RETURN_IF_ERROR(CheckLength(f.secret, kMaxSecretBytes, "secret"));
  RETURN_IF_ERROR(CheckLength(f.name, kMaxNameBytes, "name"));
  RETURN_IF_ERROR(CheckLength(f.description, kMaxDescriptionBytes, "description"));
  RETURN_IF_ERROR(CheckLength(f.metadata_json, kMaxMetadataBytes, "metadata"));
  if (f.metadata_json) {
    const Json metadata = Json::parse(*f.metadata_json, nullptr, /*allow_exceptions=*/false);
    if (!metadata.is_object()) return Invalid("metadata must be a JSON object");
  }
  return Status::OK();
}

StatusOr<Subscription> SubscriptionService::Create(const auth::Identity& caller,
                                                   const SubscriptionFields& fields) {
  if (!fields.url) return Invalid("url is required");
  RETURN_IF_ERROR(Validate(fields));
  Subscription s;
  s.id = NewUuid4();
  s.tenant_id = TenantOf(caller);
  s.event_types = {kFileWrite, kFileDelete, kFileRename};
  Apply(fields, s);
  s.enabled = true;
  s.path_scope =
      caller.is_admin ? "" : auth::TenantRoot(s.tenant_id) + "/user:" + caller.user_id + "/";
  s.created_at = s.updated_at = NowMicros();
  s.created_by = CreatorOf(caller);
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) {
    return tx
        .Exec(std::string("INSERT INTO subscriptions (") + kColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              RowParams(s))
        .status();
  }));
  return s;
}

StatusOr<std::vector<Subscription>> SubscriptionService::List(const auth::Identity& caller,
                                                              const ListOptions& options) {
  storage::Params params;
  std::string sql =
      std::string("SELECT ") + kColumns + " FROM subscriptions" + VisibleTo(caller, params);
  if (options.enabled_only) sql += " AND enabled = 1";
  sql += " ORDER BY created_at, subscription_id LIMIT ? OFFSET ?";
  params.push_back(std::clamp<int64_t>(options.limit, 0, kMaxSubscriptionsListed));
  params.push_back(std::max<int64_t>(options.offset, 0));
  return storage::ReadAll(engine_, sql, params, FromRow);
}

StatusOr<Subscription> SubscriptionService::Get(const auth::Identity& caller,
                                                const std::string& id) {
  storage::Params params;
  const std::string sql = std::string("SELECT ") + kColumns + " FROM subscriptions" +
                          VisibleTo(caller, params) + " AND subscription_id = ?";
  params.push_back(id);
  ASSIGN_OR_RETURN(std::optional<Subscription> s,
                   storage::ReadFirst(engine_, sql, params, FromRow));
  if (!s) return Missing();
  return std::move(*s);
}

StatusOr<Subscription> SubscriptionService::Update(const auth::Identity& caller,
                                                   const std::string& id,
                                                   const SubscriptionFields& fields) {
  RETURN_IF_ERROR(Validate(fields));
  storage::Params params;
  const std::string select = std::string("SELECT ") + kColumns + " FROM subscriptions" +
                             VisibleTo(caller, params) + " AND subscription_id = ?";
  params.push_back(id);
  Subscription s;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const std::optional<Subscription> stored,
                     storage::QueryFirst(tx, select, params, FromRow));
    if (!stored) return Missing();
    s = *stored;
    Apply(fields, s);
    // A new receiver starts with a closed circuit breaker.
    if (s.url != stored->url) s.failed_attempts = s.paused_until = 0;
    s.updated_at = NowMicros();
    return tx
        .Exec(
            "UPDATE subscriptions SET url = ?, event_types = ?, patterns = ?, secret = ?,"
            " name = ?, description = ?, metadata = ?, enabled = ?, updated_at = ?,"
            " failed_attempts = ?, paused_until = ? WHERE subscription_id = ?",
            {s.url, JsonList(s.event_types),
             s.patterns.empty() ? storage::Null() : storage::Value(JsonList(s.patterns)),
             s.secret.empty() ? storage::Null() : storage::Value(s.secret),
             storage::OptionalValue(s.name), storage::OptionalValue(s.description), s.metadata_json,
             int64_t{s.enabled}, s.updated_at, s.failed_attempts, s.paused_until, s.id})
        .status();
  }));
  return s;
}

Status SubscriptionService::Delete(const auth::Identity& caller, const std::string& id) {
  storage::Params params;
  const std::string sql =
      "DELETE FROM subscriptions" + VisibleTo(caller, params) + " AND subscription_id = ?";
  params.push_back(id);
  int64_t deleted = 0;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(deleted, tx.Exec(sql, params));
    return Status::OK();
  }));
  return deleted == 0 ? Missing() : Status::OK();
}

StatusOr<DeliveryResult> SubscriptionService::SendTest(const auth::Identity& caller,
                                                       const std::string& id,
                                                       std::string* event_id) {
  ASSIGN_OR_RETURN(const Subscription sub, Get(caller, id));
  const WebhookEvent event{
      "evt_test_" + RandomHex(4), "test", NowMicros(),
      Json{{"tenant_id", sub.tenant_id}, {"message", "Test event from Nexus"}}.dump()};
  *event_id = event.id;
  // One short attempt: the caller's request worker waits for it.
  DeliveryOptions once = delivery_;
  once.max_attempts = 1;
  once.timeout = std::min(once.timeout, kTestTimeout);
  return Deliver(http_, event, sub, once, [](std::chrono::milliseconds) { return false; });
}

StatusOr<std::vector<Subscription>> SubscriptionService::EnabledForTenant(
    const std::string& tenant) {
  return storage::ReadAll(
      engine_,
      std::string("SELECT ") + kColumns + " FROM subscriptions WHERE tenant_id = ? AND enabled = 1",
      {tenant}, FromRow);
}

StatusOr<std::optional<Subscription>> SubscriptionService::Enabled(const std::string& id) {
  return storage::ReadFirst(engine_,
                            std::string("SELECT ") + kColumns +
                                " FROM subscriptions WHERE subscription_id = ? AND enabled = 1",
                            {id}, FromRow);
}

Status SubscriptionService::RecordOutcome(Tx& tx, const std::string& id, const DeliveryTally& tally,
                                          int64_t when) {
  const char* base = tally.any_delivered ? "0" : "consecutive_failures";
  return tx
      .Exec(std::string("UPDATE subscriptions SET last_delivery_at = ?, last_delivery_status = ?,"
                        " consecutive_failures = ") +
                base + " + ? WHERE subscription_id = ?",
            {when, std::string(tally.last_delivered ? "success" : "failed"), tally.failures_since,
             id})
      .status();
}

Status SubscriptionService::RecordAttempts(Tx& tx, const std::string& id,
                                           const DeliveryTally& tally,
                                           const CircuitBreaker& breaker, int64_t now) {
  const char* base = tally.any_delivered ? "0" : "failed_attempts";
  ASSIGN_OR_RETURN(const storage::Rows rows,
                   tx.Query(std::string("UPDATE subscriptions SET failed_attempts = ") + base +
                                " + ? WHERE subscription_id = ? RETURNING failed_attempts",
                            {tally.failures_since, id}));
  if (rows.empty()) return Status::OK();  // deleted meanwhile
  const std::chrono::milliseconds pause = breaker.PauseAfter(rows[0].Int(0));
  return tx
      .Exec("UPDATE subscriptions SET paused_until = ? WHERE subscription_id = ?",
            {pause.count() > 0 ? now + pause.count() * 1000 : int64_t{0}, id})
      .status();
}

}  // namespace nexus::services

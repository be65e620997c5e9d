// Webhook subscriptions (api.md §2.1, domain.md §1.2.9): a URL that receives the change
// events of one tenant's files, filtered by event type and glob patterns.
//
// Scoping: a subscription belongs to its creator's tenant and is invisible to every other
// tenant. An admin of the tenant sees and manages all of the tenant's subscriptions and
// receives events for every path of the tenant; any other caller sees only the
// subscriptions it created, and those receive events only for paths under its user's home
// directory /tenant:<t>/user:<u>/ (so a subscription cannot reveal other users' files).
#ifndef NEXUS_SERVICES_WEBHOOKS_SUBSCRIPTIONS_H_
#define NEXUS_SERVICES_WEBHOOKS_SUBSCRIPTIONS_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/identity.h"
#include "services/outbound_http.h"
#include "services/webhooks/circuit_breaker.h"
#include "services/webhooks/subscription.h"
#include "services/webhooks/webhook_delivery.h"
#include "storage/engine.h"
#include "storage/migration.h"

namespace nexus::services {

// Create and update input. Unset fields take their default on create and keep their value
// on update. An empty name, description or secret clears it; empty patterns mean "every
// path".
struct SubscriptionFields {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> event_types;
  std::optional<std::vector<std::string>> patterns;
  std::optional<std::string> secret;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> metadata_json;  // a JSON object
  std::optional<bool> enabled;               // update only
};

struct ListOptions {
  bool enabled_only = false;
  int64_t limit = 100;
  int64_t offset = 0;
};

inline constexpr int64_t kMaxSubscriptionsListed = 1000;

// The outcome of a run of deliveries (or of attempts) to one subscription, in order.
struct DeliveryTally {
  int64_t count = 0;
  bool any_delivered = false;
  int64_t failures_since = 0;  // failed deliveries after the last successful one
  bool last_delivered = false;

  void Add(bool delivered) {
    ++count;
    last_delivered = delivered;
    any_delivered |= delivered;
    failures_since = delivered ? 0 : failures_since + 1;
  }
};

class SubscriptionService {
 public:
  static constexpr std::chrono::milliseconds kTestTimeout{5000};

  // `http` sends test events; both must outlive the service. `own_host` is the address
  // the server listens on ("0.0.0.0", "127.0.0.1", a name).
  SubscriptionService(storage::Engine& engine, OutboundHttp& http, DeliveryOptions delivery,
                      std::string own_host)
      : engine_(engine), http_(http), delivery_(delivery), own_host_(std::move(own_host)) {}

  // The port the server listens on, once it does: from then on URLs naming it on a
  // loopback, unspecified or the configured own address are refused.
  void SetOwnPort(uint16_t port) { own_port_ = port; }

  // kValidation naming the problem for a bad URL, event type, pattern, metadata or an
  // over-long field.
  StatusOr<Subscription> Create(const auth::Identity& caller, const SubscriptionFields& fields);
  StatusOr<std::vector<Subscription>> List(const auth::Identity& caller,
                                           const ListOptions& options);
  // kNotFound ("Subscription not found") when the caller cannot see it.
  StatusOr<Subscription> Get(const auth::Identity& caller, const std::string& id);
  StatusOr<Subscription> Update(const auth::Identity& caller, const std::string& id,
                                const SubscriptionFields& fields);
  Status Delete(const auth::Identity& caller, const std::string& id);
  // Sends a test event ("evt_test_<8 hex>") to the subscription now, in one attempt of at
  // most kTestTimeout (a request worker waits for it); the delivery's outcome, or kNotFound.
  StatusOr<DeliveryResult> SendTest(const auth::Identity& caller, const std::string& id,
                                    std::string* event_id);

  // The enabled subscriptions of `tenant`, for the delivery worker.
  StatusOr<std::vector<Subscription>> EnabledForTenant(const std::string& tenant);
  // Subscription `id` when it exists and is enabled, for the delivery worker.
  StatusOr<std::optional<Subscription>> Enabled(const std::string& id);
  // Records the outcome of deliveries to subscription `id` (last_delivery_*,
  // consecutive_failures) in `tx`.
  static Status RecordOutcome(storage::Tx& tx, const std::string& id, const DeliveryTally& tally,
                              int64_t when);
  // Records the outcome of attempts to subscription `id` on its circuit breaker
  // (failed_attempts, paused_until) in `tx`.
  static Status RecordAttempts(storage::Tx& tx, const std::string& id, const DeliveryTally& tally,
                               const CircuitBreaker& breaker, int64_t now);

  OutboundHttp& http() { return http_; }
  const DeliveryOptions& delivery() const { return delivery_; }

 private:
  Status Validate(const SubscriptionFields& fields) const;
  // The URL check of Validate.
  Status ValidateUrl(const std::string& url) const;

  storage::Engine& engine_;
  OutboundHttp& http_;
  const DeliveryOptions delivery_;
  const std::string own_host_;
  std::atomic<uint16_t> own_port_{0};
};

// Migration 12, subscriptions, outbox and deliveries: generated from migrations/*.sql by
// cmake/migrations.cmake. Declared with the subscriptions, as webhooks has no single face header.
std::span<const storage::Migration> WebhooksSchema();

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WEBHOOKS_SUBSCRIPTIONS_H_

// One webhook delivery (api.md §2.1): the JSON body, its headers and signature, and the
// attempts with backoff.
#ifndef NEXUS_SERVICES_WEBHOOKS_WEBHOOK_DELIVERY_H_
#define NEXUS_SERVICES_WEBHOOKS_WEBHOOK_DELIVERY_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "services/outbound_http.h"
#include "services/webhooks/subscription.h"
#include "services/webhooks/webhook_outbox.h"
#include "util/status.h"

namespace nexus::services {

struct DeliveryOptions {
  int max_attempts = 3;
  // Before the second attempt; doubled before each further one.
  std::chrono::milliseconds backoff{1000};
  std::chrono::milliseconds timeout{10000};  // of each attempt
  // Whether receivers may be on loopback or private addresses (a test receiver, a service
  // inside the operator's network). Off by default: subscription URLs are chosen by users,
  // and would otherwise reach this machine and its network (SSRF).
  bool allow_private_networks = false;

  // The wait after `attempts` failed attempts: `backoff`, doubled for each further one.
  std::chrono::milliseconds BackoffAfter(int64_t attempts) const {
    return backoff * (int64_t{1} << std::clamp<int64_t>(attempts - 1, 0, 20));
  }
};

struct WebhookEvent {
  std::string id;    // "evt_..."
  std::string type;  // X-Nexus-Event
  int64_t timestamp = 0;
  std::string data_json;  // a JSON object
};

// The event of an outbox row as a subscription scoped to the stored-path prefix
// `path_scope` sees it: `data` holds the tenant, the path and what the type knows
// (old_path, etag, version, size, key), without a rename's path that lies outside the scope
// (the other one is inside, or the subscription would not match).
WebhookEvent EventOf(const OutboxEvent& event, std::string_view path_scope);

// {"id","event","timestamp","data","subscription":{"id","metadata"}}. kInternal when the
// stored event data or subscription metadata is not JSON (a corrupt row).
StatusOr<std::string> WebhookBody(const WebhookEvent& event, const Subscription& sub);

// "sha256=<hex HMAC-SHA256(secret, body)>".
std::string WebhookSignature(const std::string& secret, const std::string& body);

// The POST to the subscription's URL, with Content-Type, X-Nexus-Event,
// X-Nexus-Delivery-Id and (with a secret) X-Nexus-Signature, under `options`' timeout and
// address policy. WebhookBody's errors.
StatusOr<OutboundRequest> WebhookRequest(const WebhookEvent& event, const Subscription& sub,
                                         const std::string& delivery_id,
                                         const DeliveryOptions& options);

struct DeliveryResult {
  bool delivered = false;  // a 2xx answer
  bool abandoned = false;  // `wait` said stop before the attempts were used up
  int attempts = 0;
  int status = 0;     // of the last answer; 0 when there was none
  std::string error;  // of the last failed attempt
};

// One attempt of `request` (attempts is 1).
DeliveryResult Attempt(OutboundHttp& http, const OutboundRequest& request);

// Waits `delay` before a retry; false when the caller is stopping and the delivery should
// be abandoned.
using RetryWait = std::function<bool(std::chrono::milliseconds delay)>;

// Sends `event` to `sub` until a 2xx answer or the attempts are used up, under one
// delivery id "del_<16 hex>". No attempt (and the error) when there is no request to send.
DeliveryResult Deliver(OutboundHttp& http, const WebhookEvent& event, const Subscription& sub,
                       const DeliveryOptions& options, const RetryWait& wait);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WEBHOOKS_WEBHOOK_DELIVERY_H_

#include "services/webhooks/webhook_delivery.h"

#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "util/clock.h"
#include "util/hash.h"
#include "util/ids.h"

namespace nexus::services {

using Json = nlohmann::json;

WebhookEvent EventOf(const OutboxEvent& e, std::string_view path_scope) {
  Json data = {{"tenant_id", e.tenant_id}};
  if (e.path.starts_with(path_scope)) data["path"] = e.path;
  if (e.old_path && e.old_path->starts_with(path_scope)) data["old_path"] = *e.old_path;
  if (e.etag) data["etag"] = *e.etag;
  if (e.version) data["version"] = *e.version;
  if (e.size) data["size"] = *e.size;
  if (e.metadata_key) data["key"] = *e.metadata_key;
  return WebhookEvent{e.event_id, e.type, e.created_at, data.dump()};
}

namespace {

// Stored JSON, which a corrupt row makes kInternal instead of an exception.
StatusOr<Json> ParseStored(const std::string& text, std::string_view what) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Internal(std::string(what) + " is not JSON");
  return json;
}

}  // namespace

StatusOr<std::string> WebhookBody(const WebhookEvent& event, const Subscription& sub) {
  ASSIGN_OR_RETURN(Json data, ParseStored(event.data_json, "the data of event " + event.id));
  ASSIGN_OR_RETURN(Json metadata,
                   ParseStored(sub.metadata_json, "the metadata of subscription " + sub.id));
  const Json body = {{"id", event.id},
                     {"event", event.type},
                     {"timestamp", FormatIsoMicros(event.timestamp)},
                     {"data", std::move(data)},
                     {"subscription", {{"id", sub.id}, {"metadata", std::move(metadata)}}}};
  return body.dump();
}

std::string WebhookSignature(const std::string& secret, const std::string& body) {
  return "sha256=" + HmacSha256Hex(secret, body);
}

StatusOr<OutboundRequest> WebhookRequest(const WebhookEvent& event, const Subscription& sub,
                                         const std::string& delivery_id,
                                         const DeliveryOptions& options) {
  OutboundRequest request;
  request.url = sub.url;
  ASSIGN_OR_RETURN(request.body, WebhookBody(event, sub));
  request.timeout = options.timeout;
  request.public_addresses_only = !options.allow_private_networks;
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Nexus-Event", event.type},
                     {"X-Nexus-Delivery-Id", delivery_id}};
  if (!sub.secret.empty())
    request.headers.emplace_back("X-Nexus-Signature", WebhookSignature(sub.secret, request.body));
  return request;
}

DeliveryResult Attempt(OutboundHttp& http, const OutboundRequest& request) {
  DeliveryResult result;
  result.attempts = 1;
  StatusOr<OutboundResponse> response = http.Send(request);
  if (!response.ok()) {
    result.error = response.status().message();
    return result;
  }
  result.status = response->status;
  result.delivered = response->status >= 200 && response->status < 300;
  if (!result.delivered) result.error = "HTTP " + std::to_string(response->status);
  return result;
}

DeliveryResult Deliver(OutboundHttp& http, const WebhookEvent& event, const Subscription& sub,
                       const DeliveryOptions& options, const RetryWait& wait) {
  const StatusOr<OutboundRequest> request =
      WebhookRequest(event, sub, "del_" + RandomHex(8), options);
  if (!request.ok()) {
    DeliveryResult unsent;
    unsent.error = request.status().message();
    return unsent;
  }
  for (int attempt = 1;; ++attempt) {
    DeliveryResult result = Attempt(http, *request);
    result.attempts = attempt;
    if (result.delivered || attempt >= options.max_attempts) return result;
    if (!wait(options.BackoffAfter(attempt))) {
      result.abandoned = true;
      return result;
    }
  }
}

}  // namespace nexus::services

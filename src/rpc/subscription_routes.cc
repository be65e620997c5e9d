#include "rpc/subscription_routes.h"

#include <charconv>
#include <string_view>

#include "rpc/params.h"
#include "rpc/wire_json.h"
#include "services/webhooks/subscriptions.h"
#include "util/form_urlencoded.h"

namespace nexus::rpc {
namespace {

using services::Subscription;
using services::SubscriptionFields;
using P = ParamType;

RestResponse Detail(int status, const std::string& detail) {
  return RestResponse{status, Json{{"detail", detail}}.dump()};
}

RestResponse ErrorResponse(const Status& s) {
  switch (s.code()) {
    case Code::kNotFound:
      return Detail(404, "Subscription not found");
    case Code::kValidation:
    case Code::kInvalidArgument:
    case Code::kInvalidPattern:
      return Detail(422, s.message());
    default:
      return Detail(500, "Internal Server Error");
  }
}

Json SubscriptionJson(const Subscription& s) {
  return Json{{"id", s.id},
              {"tenant_id", s.tenant_id},
              {"url", s.url},
              {"event_types", s.event_types},
              {"patterns", s.patterns.empty() ? Json(nullptr) : Json(s.patterns)},
              {"name", s.name ? Json(*s.name) : Json(nullptr)},
              {"description", s.description ? Json(*s.description) : Json(nullptr)},
              {"metadata", Json::parse(s.metadata_json)},
              {"enabled", s.enabled},
              {"last_delivery_at", IsoOrNull(s.last_delivery_at)},
              {"last_delivery_status",
               s.last_delivery_status ? Json(*s.last_delivery_status) : Json(nullptr)},
              {"consecutive_failures", s.consecutive_failures},
              {"created_at", IsoOrNull(s.created_at)},
              {"updated_at", IsoOrNull(s.updated_at)},
              {"created_by", s.created_by}};
}

const std::vector<ParamSpec>& BodySpecs(bool update) {
  static const std::vector<ParamSpec> kCreate = {
      Optional("url", P::kString),          Optional("event_types", P::kStringList),
      Optional("patterns", P::kStringList), Optional("secret", P::kString),
      Optional("name", P::kString),         Optional("description", P::kString),
      Optional("metadata", P::kObject)};
  static const std::vector<ParamSpec> kUpdate = [] {
    std::vector<ParamSpec> specs = kCreate;
    specs.push_back(Optional("enabled", P::kBool));
    return specs;
  }();
  return update ? kUpdate : kCreate;
}

// The fields a body sets. A key given as null clears the field (patterns, texts) or sets
// its default (metadata); an absent key leaves it alone.
StatusOr<SubscriptionFields> FieldsOf(const std::string& body, bool update) {
  if (body.size() > kMaxSubscriptionBody)
    return InvalidArgument("request body is larger than " + std::to_string(kMaxSubscriptionBody) +
                           " bytes");
  ASSIGN_OR_RETURN(Json raw, ParseJson(body.empty() ? "null" : body));
  if (!raw.is_object()) return InvalidArgument("request body must be a JSON object");
  const Json given = raw;
  ASSIGN_OR_RETURN(const Params p, Params::Bind("subscription", BodySpecs(update), std::move(raw)));
  const auto named = [&](const char* key) { return given.contains(key); };
  SubscriptionFields f;
  if (p.Has("url")) f.url = p.Str("url");
  if (named("url") && !p.Has("url")) return InvalidArgument("'url' must be a string");
  if (p.Has("event_types")) f.event_types = p.StrList("event_types");
  if (named("event_types") && !p.Has("event_types"))
    return InvalidArgument("'event_types' must be a list of strings");
  if (named("patterns"))
    f.patterns = p.Has("patterns") ? p.StrList("patterns") : std::vector<std::string>{};
  const auto text = [&](const char* key, std::optional<std::string>& out) {
    if (named(key)) out = p.Has(key) ? p.Str(key) : "";
  };
  text("secret", f.secret);
  text("name", f.name);
  text("description", f.description);
  if (named("metadata")) f.metadata_json = p.Has("metadata") ? p.Raw("metadata").dump() : "{}";
  if (p.Has("enabled")) f.enabled = p.Bool("enabled");
  if (named("enabled") && !p.Has("enabled")) return InvalidArgument("'enabled' must be a boolean");
  return f;
}

// The decoded value of the query parameter `key`, or nullopt when absent.
std::optional<std::string> QueryValue(const FormFields& query, std::string_view key) {
  for (const auto& [name, value] : query) {
    if (name == key) return value;
  }
  return std::nullopt;
}

StatusOr<int64_t> IntParam(const FormFields& query, const char* key, int64_t fallback, int64_t min,
                           int64_t max) {
  const std::optional<std::string> text = QueryValue(query, key);
  if (!text) return fallback;
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return InvalidArgument("query parameter '" + std::string(key) + "' must be an integer from " +
                           std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

StatusOr<services::ListOptions> ListOptionsOf(std::string_view query_string) {
  ASSIGN_OR_RETURN(const FormFields query, FormDecode(query_string));
  services::ListOptions options;
  if (const std::optional<std::string> e = QueryValue(query, "enabled_only")) {
    if (*e == "true" || *e == "1") {
      options.enabled_only = true;
    } else if (*e != "false" && *e != "0") {
      return InvalidArgument("query parameter 'enabled_only' must be true or false");
    }
  }
  ASSIGN_OR_RETURN(options.limit,
                   IntParam(query, "limit", 100, 1, services::kMaxSubscriptionsListed));
  ASSIGN_OR_RETURN(options.offset, IntParam(query, "offset", 0, 0, INT64_MAX));
  return options;
}

// A successful answer, or the error's.
RestResponse Answer(int status, const StatusOr<Json>& result) {
  if (!result.ok()) return ErrorResponse(result.status());
  return RestResponse{status, result->dump()};
}

StatusOr<Json> AsJson(const StatusOr<Subscription>& s) {
  if (!s.ok()) return s.status();
  return SubscriptionJson(*s);
}

}  // namespace

RestResponse SubscriptionRoutes::Collection(const RestRequest& req) const {
  if (req.method == "POST") {
    StatusOr<SubscriptionFields> fields = FieldsOf(req.body, /*update=*/false);
    if (!fields.ok()) return ErrorResponse(fields.status());
    return Answer(201, AsJson(service_->Create(*req.caller, *fields)));
  }
  if (req.method != "GET") return Detail(405, "Method Not Allowed");
  StatusOr<services::ListOptions> options = ListOptionsOf(req.query);
  if (!options.ok()) return ErrorResponse(options.status());
  StatusOr<std::vector<Subscription>> list = service_->List(*req.caller, *options);
  if (!list.ok()) return ErrorResponse(list.status());
  Json items = Json::array();
  for (const Subscription& s : *list) items.push_back(SubscriptionJson(s));
  return RestResponse{200, Json{{"subscriptions", items}}.dump()};
}

RestResponse SubscriptionRoutes::Item(const RestRequest& req, const std::string& id) const {
  if (req.method == "GET") return Answer(200, AsJson(service_->Get(*req.caller, id)));
  if (req.method == "PATCH") {
    StatusOr<SubscriptionFields> fields = FieldsOf(req.body, /*update=*/true);
    if (!fields.ok()) return ErrorResponse(fields.status());
    return Answer(200, AsJson(service_->Update(*req.caller, id, *fields)));
  }
  if (req.method != "DELETE") return Detail(405, "Method Not Allowed");
  const Status s = service_->Delete(*req.caller, id);
  if (!s.ok()) return ErrorResponse(s);
  return RestResponse{200, R"({"deleted":true})"};
}

// Unlike the other routes, an unknown subscription is a 200 with success false (api.md §2.1).
RestResponse SubscriptionRoutes::Test(const RestRequest& req, const std::string& id) const {
  if (req.method != "POST") return Detail(405, "Method Not Allowed");
  std::string event_id;
  StatusOr<services::DeliveryResult> sent = service_->SendTest(*req.caller, id, &event_id);
  if (sent.status().code() == Code::kNotFound)
    return RestResponse{200, Json{{"success", false}, {"error", "Subscription not found"}}.dump()};
  if (!sent.ok()) return ErrorResponse(sent.status());
  return RestResponse{
      200,
      Json{{"success", sent->delivered}, {"event_id", event_id}, {"subscription_id", id}}.dump()};
}

RestResponse SubscriptionRoutes::Handle(const RestRequest& req) const {
  // "", "/<id>" or "/<id>/test".
  std::string_view rest =
      std::string_view(req.path).substr(std::string_view(kSubscriptionsPath).size());
  if (!rest.empty() && (rest.front() != '/' || rest.size() == 1)) return Detail(404, "Not Found");
  if (!rest.empty()) rest.remove_prefix(1);
  const size_t slash = rest.find('/');
  const std::string id(rest.substr(0, slash));
  const std::string_view action = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (slash != std::string_view::npos && action != "test") return Detail(404, "Not Found");
  if (!service_) return Detail(503, "Subscription manager not available");
  if (id.empty()) return Collection(req);
  return action.empty() ? Item(req, id) : Test(req, id);
}

}  // namespace nexus::rpc

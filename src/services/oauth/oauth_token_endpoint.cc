#include "services/oauth/oauth_token_endpoint.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "util/base64.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxQuotedError = 200;

Status EndpointError(const OAuthProvider& provider, const std::string& what) {
  return Status(Code::kValidation, "OAuth provider '" + provider.name + "': " + what);
}

StatusOr<OutboundResponse> PostForm(OutboundHttp& http, const OAuthProvider& provider,
                                    const std::string& url, FormFields fields) {
  fields.emplace_back("client_id", provider.client_id);
  fields.emplace_back("client_secret", provider.client_secret);
  OutboundRequest request;
  request.url = url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = FormEncode(fields);
  StatusOr<OutboundResponse> response = http.Send(request);
  if (!response.ok()) {
    return EndpointError(provider, "cannot reach " + url + ": " + response.status().message());
  }
  return response;
}

std::string Quoted(const std::string& body) {
  return body.size() <= kMaxQuotedError ? body : body.substr(0, kMaxQuotedError) + "...";
}

// What an error answer says, preferring RFC 6749 §5.2's error and error_description.
std::string ErrorText(const OutboundResponse& response) {
  const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  std::string text = "HTTP " + std::to_string(response.status);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    text += ": " + body["error"].get<std::string>();
    if (body.contains("error_description") && body["error_description"].is_string())
      text += ": " + body["error_description"].get<std::string>();
    return text;
  }
  return response.body.empty() ? text : text + ": " + Quoted(response.body);
}

std::string StringField(const Json& body, const char* key) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : "";
}

// Ten years, in seconds: a longer lifetime is taken as this one.
constexpr double kMaxExpiresIn = 10.0 * 365 * 24 * 60 * 60;

// expires_in is a number, though some providers send it as a string. The provider's value
// is checked before any arithmetic on it: a negative one means the token has already
// expired, one beyond ten years is ten years, and anything else not a finite number is an
// error.
StatusOr<std::optional<int64_t>> ExpiresIn(const OAuthProvider& provider, const Json& body) {
  if (!body.contains("expires_in") || body["expires_in"].is_null()) return std::optional<int64_t>();
  const Json& v = body["expires_in"];
  double seconds = std::numeric_limits<double>::quiet_NaN();
  if (v.is_number()) seconds = v.get<double>();
  if (v.is_string()) {
    const std::string text = v.get<std::string>();
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size())
      seconds = std::numeric_limits<double>::quiet_NaN();
  }
  if (!std::isfinite(seconds))
    return EndpointError(provider, "token endpoint answered an expires_in that is not a number: " +
                                       Quoted(v.dump()));
  return std::optional<int64_t>(static_cast<int64_t>(std::clamp(seconds, 0.0, kMaxExpiresIn)));
}

}  // namespace

StatusOr<OAuthTokens> RequestTokens(OutboundHttp& http, const OAuthProvider& provider,
                                    FormFields grant) {
  ASSIGN_OR_RETURN(const OutboundResponse response,
                   PostForm(http, provider, provider.token_url, std::move(grant)));
  const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status < 200 || response.status > 299 ||
      (body.is_object() && body.contains("error")))
    return EndpointError(provider, "token endpoint refused: " + ErrorText(response));
  if (!body.is_object())
    return EndpointError(provider,
                         "token endpoint answered no JSON object: " + Quoted(response.body));
  ASSIGN_OR_RETURN(const std::optional<int64_t> expires_in, ExpiresIn(provider, body));
  OAuthTokens tokens{StringField(body, "access_token"), StringField(body, "refresh_token"),
                     StringField(body, "token_type"),   expires_in,
                     StringField(body, "scope"),        StringField(body, "id_token")};
  if (tokens.access_token.empty())
    return EndpointError(provider, "token endpoint answered without an access_token");
  return tokens;
}

Status RevokeAtProvider(OutboundHttp& http, const OAuthProvider& provider,
                        const std::string& token) {
  if (provider.revoke_url.empty()) return Status::OK();
  ASSIGN_OR_RETURN(const OutboundResponse response,
                   PostForm(http, provider, provider.revoke_url, {{"token", token}}));
  if (response.status < 200 || response.status > 299)
    return EndpointError(provider, "revocation endpoint refused: " + ErrorText(response));
  return Status::OK();
}

std::optional<std::string> EmailFromIdToken(const std::string& id_token) {
  const size_t first = id_token.find('.');
  const size_t second = first == std::string::npos ? first : id_token.find('.', first + 1);
  if (second == std::string::npos) return std::nullopt;
  StatusOr<std::string> payload = Base64UrlDecode(id_token.substr(first + 1, second - first - 1));
  if (!payload.ok()) return std::nullopt;
  const Json claims = Json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (!claims.is_object()) return std::nullopt;
  const std::string email = StringField(claims, "email");
  if (email.empty()) return std::nullopt;
  return email;
}

}  // namespace nexus::services

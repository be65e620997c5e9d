// The OAuth credential methods of api.md §6.10, scoped to the caller's tenant and user.
#include "rpc/json_values.h"
#include "rpc/method_table.h"
#include "services/oauth/oauth_credentials.h"
#include "util/clock.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

constexpr char kDefaultRedirectUri[] = "http://localhost:3000/oauth/callback";

StatusOr<services::OAuthService*> OAuth(const CallContext& ctx) {
  if (ctx.services.oauth == nullptr)
    return Status(Code::kValidation, "OAuth is not enabled on this server");
  return ctx.services.oauth;
}

services::OAuthCaller CallerOf(const CallContext& ctx) {
  return services::OAuthCaller{ctx.caller.tenant_id, ctx.caller.user_id, ctx.caller.is_admin};
}

Json CredentialJson(const services::OAuthCredential& c) {
  return Json{{"credential_id", c.credential_id},
              {"provider", c.provider},
              {"user_email", c.user_email},
              {"user_id", c.user_id},
              {"tenant_id", c.tenant_id},
              {"expires_at", IsoOrNull(c.expires_at)},
              {"is_expired", c.expires_at.has_value() && *c.expires_at <= NowMicros()},
              {"created_at", FormatIsoMicros(c.created_at)},
              {"last_used_at", IsoOrNull(c.last_used_at)},
              {"revoked", c.revoked}};
}

StatusOr<MethodResult> ListProviders(const Params&, CallContext& ctx) {
  ASSIGN_OR_RETURN(const services::OAuthService* oauth, OAuth(ctx));
  Json out = Json::array();
  for (const services::OAuthProvider& p : oauth->providers()) {
    out.push_back(Json{{"name", p.name},
                       {"display_name", p.display_name},
                       {"scopes", p.scopes},
                       {"requires_pkce", p.requires_pkce},
                       {"metadata", StoredJson(p.metadata_json, Json::object())}});
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> GetAuthUrl(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::OAuthService * oauth, OAuth(ctx));
  std::optional<std::vector<std::string>> scopes;
  if (p.Has("scopes")) scopes = p.StrList("scopes");
  ASSIGN_OR_RETURN(
      const services::OAuthAuthorization auth,
      oauth->BeginAuthorization(CallerOf(ctx), p.Str("provider"), p.Str("redirect_uri"), scopes));
  Json out{{"url", auth.url}, {"state", auth.state}};
  if (!auth.code_verifier.empty()) {
    out["pkce_data"] = Json{{"code_verifier", auth.code_verifier},
                            {"code_challenge", auth.code_challenge},
                            {"code_challenge_method", "S256"}};
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> ExchangeCode(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::OAuthService * oauth, OAuth(ctx));
  const services::OAuthCodeExchange exchange{p.Str("provider"),      p.Str("code"),
                                             p.OptStr("user_email"), p.OptStr("state"),
                                             p.Str("redirect_uri"),  p.OptStr("code_verifier")};
  ASSIGN_OR_RETURN(const services::OAuthCredential c, oauth->ExchangeCode(CallerOf(ctx), exchange));
  return MethodResult(Json{{"credential_id", c.credential_id},
                           {"user_email", c.user_email},
                           {"expires_at", IsoOrNull(c.expires_at)},
                           {"success", true}});
}

StatusOr<MethodResult> ListCredentials(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::OAuthService * oauth, OAuth(ctx));
  ASSIGN_OR_RETURN(const std::vector<services::OAuthCredential> all,
                   oauth->List(CallerOf(ctx), p.OptStr("provider"), p.Bool("include_revoked")));
  Json out = Json::array();
  for (const services::OAuthCredential& c : all) out.push_back(CredentialJson(c));
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> Revoke(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::OAuthService * oauth, OAuth(ctx));
  const std::string provider = p.Str("provider");
  const std::string email = p.Str("user_email");
  ASSIGN_OR_RETURN(const services::OAuthRevocation revoked,
                   oauth->Revoke(CallerOf(ctx), provider, email));
  Json out{{"success", true},
           {"message", "Revoked OAuth credential for " + provider + ":" + email}};
  if (!revoked.provider_error.empty()) out["provider_error"] = revoked.provider_error;
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> TestCredential(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(services::OAuthService * oauth, OAuth(ctx));
  ASSIGN_OR_RETURN(const services::OAuthTestResult result,
                   oauth->Test(CallerOf(ctx), p.Str("provider"), p.Str("user_email")));
  if (!result.valid) return MethodResult(Json{{"valid", false}, {"error", result.error}});
  return MethodResult(Json{{"valid", true},
                           {"refreshed", result.refreshed},
                           {"expires_at", IsoOrNull(result.expires_at)}});
}

}  // namespace

void AddOAuthMethods(MethodTable& t) {
  const auto provider = Required("provider", P::kString);
  const auto email = Required("user_email", P::kString);
  const auto redirect = Optional("redirect_uri", P::kString, kDefaultRedirectUri);
  t.Add({"oauth_list_providers", {}, ListProviders, kCacheDefault});
  t.Add({"oauth_get_auth_url",
         {provider, redirect, Optional("scopes", P::kStringList)},
         GetAuthUrl,
         kCacheNoStore});
  t.Add({"oauth_exchange_code",
         {provider, Required("code", P::kString), Optional("user_email", P::kString),
          Optional("state", P::kString), redirect, Optional("code_verifier", P::kString)},
         ExchangeCode,
         kCacheNoStore});
  t.Add({"oauth_list_credentials",
         {Optional("provider", P::kString), Optional("include_revoked", P::kBool, false)},
         ListCredentials,
         kCacheDefault});
  t.Add({"oauth_revoke_credential", {provider, email}, Revoke, kCacheNoStore});
  t.Add({"oauth_test_credential", {provider, email}, TestCredential, kCacheNoStore});
}

}  // namespace nexus::rpc

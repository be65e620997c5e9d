#include "services/oauth/oauth_credentials.h"

#include <thread>

#include "services/oauth/oauth_token_endpoint.h"
#include "storage/rows.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/hash.h"
#include "util/ids.h"
#include "util/url.h"

namespace nexus::services {

using storage::Row;
using storage::Rows;
using storage::Tx;

namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
// Spent and expired states are kept this long after their expiry, then swept.
constexpr int64_t kStateRetentionMicros = 24 * 3600 * kMicrosPerSecond;
constexpr size_t kMaxField = 4096;

constexpr const char* kCredentialColumns =
    "credential_id, tenant_id, user_id, provider, user_email, scopes, expires_at, created_at, "
    "last_used_at, revoked, sealed_access_token, sealed_refresh_token";

int64_t Micros(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

// Counts itself in `count` while it lives.
class Counted {
 public:
  explicit Counted(std::atomic<int>& count) : count_(count) { ++count_; }
  ~Counted() { --count_; }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;

 private:
  std::atomic<int>& count_;
};

// Caller-supplied text: present, bounded, and free of control characters.
Status CheckField(const char* name, const std::string& value) {
  if (value.empty()) return InvalidArgument(std::string(name) + " must not be empty");
  if (value.size() > kMaxField)
    return InvalidArgument(std::string(name) + " is longer than " + std::to_string(kMaxField));
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f)
      return InvalidArgument(std::string(name) + " contains a control character");
  }
  return Status::OK();
}

Status CheckRedirectUri(const std::string& uri) {
  const Status parsed = ParseHttpUrl(uri).status();
  if (!parsed.ok()) return InvalidArgument("redirect_uri: " + parsed.message());
  return Status::OK();
}

StatusOr<std::string> JoinScopes(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const std::string& scope : scopes) {
    RETURN_IF_ERROR(CheckField("scope", scope));
    if (scope.find(' ') != std::string::npos)
      return InvalidArgument("scope '" + scope + "' contains a space");
    joined += (joined.empty() ? "" : " ") + scope;
  }
  return joined;
}

// Length-prefixed, so no two different keys give the same context.
std::string Context(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out += std::to_string(p.size()) + ":" + std::string(p) + ";";
  return out;
}

std::string TokenContext(const OAuthCaller& owner, const std::string& provider,
                         const std::string& email) {
  return Context({"oauth token", owner.tenant_id, owner.user_id, provider, email});
}

Status StateError(const std::string& why) {
  return Status(Code::kValidation, "OAuth state " + why + "; request a new authorization URL");
}

}  // namespace

struct OAuthService::Stored {
  OAuthCredential credential;
  std::string sealed_access;
  std::string sealed_refresh;  // empty when none

  static Stored FromRow(const Row& r) {
    Stored s;
    s.credential = {r.Text(0), r.Text(1),   r.Text(2), r.Text(3),   r.Text(4),
                    r.Text(5), r.OptInt(6), r.Int(7),  r.OptInt(8), r.Int(9) != 0};
    s.sealed_access = r.Text(10);
    s.sealed_refresh = r.Text(11);
    return s;
  }

  std::string Context() const {
    return TokenContext({credential.tenant_id, credential.user_id, false}, credential.provider,
                        credential.user_email);
  }

  bool ExpiredAt(int64_t now) const {
    return credential.expires_at && *credential.expires_at <= now;
  }
};

// What a caller about to refresh found in the database.
struct OAuthService::Claim {
  enum Outcome {
    kClaimed,   // the refresh is this caller's to make
    kReplaced,  // the tokens changed since the caller read them: someone refreshed already
    kBusy,      // another node's claim holds
  };
  Outcome outcome = kClaimed;
  Stored current;  // the credential as stored now
};

StatusOr<const OAuthProvider*> OAuthService::Find(const std::string& name) const {
  for (const OAuthProvider& p : providers_) {
    if (p.name == name) return &p;
  }
  std::string configured;
  for (const OAuthProvider& p : providers_) configured += (configured.empty() ? "" : ", ") + p.name;
  return Status(Code::kValidation, "OAuth provider '" + name + "' is not configured (configured: " +
                                       (configured.empty() ? "none" : configured) + ")");
}

StatusOr<std::string> OAuthService::Seal(const std::string& plaintext,
                                         const std::string& context) const {
  ASSIGN_OR_RETURN(const std::string sealed, aead_.Seal(plaintext, context));
  return Base64Encode(sealed);
}

StatusOr<std::string> OAuthService::Unseal(const std::string& stored,
                                           const std::string& context) const {
  StatusOr<std::string> sealed = Base64Decode(stored);
  if (!sealed.ok()) return Internal("a stored OAuth secret is not base64");
  return aead_.Open(*sealed, context);
}

StatusOr<OAuthAuthorization> OAuthService::BeginAuthorization(
    const OAuthCaller& caller, const std::string& provider_name, const std::string& redirect_uri,
    const std::optional<std::vector<std::string>>& scopes) {
  ASSIGN_OR_RETURN(const OAuthProvider* provider, Find(provider_name));
  RETURN_IF_ERROR(CheckRedirectUri(redirect_uri));
  ASSIGN_OR_RETURN(const std::string scope, JoinScopes(scopes.value_or(provider->scopes)));
  OAuthAuthorization auth;
  auth.state = Base64UrlEncode(RandomBytes(32));
  FormFields query = {{"response_type", "code"},
                      {"client_id", provider->client_id},
                      {"redirect_uri", redirect_uri},
                      {"state", auth.state}};
  if (!scope.empty()) query.emplace_back("scope", scope);
  storage::Value sealed_verifier = storage::Null();
  if (provider->requires_pkce) {
    auth.code_verifier = Base64UrlEncode(RandomBytes(32));
    auth.code_challenge = Base64UrlEncode(Sha256(auth.code_verifier));
    query.emplace_back("code_challenge", auth.code_challenge);
    query.emplace_back("code_challenge_method", "S256");
    ASSIGN_OR_RETURN(sealed_verifier,
                     Seal(auth.code_verifier, Context({"oauth state", auth.state})));
  }
  const char separator = provider->authorize_url.find('?') == std::string::npos ? '?' : '&';
  auth.url = provider->authorize_url + separator + FormEncode(query);
  const int64_t now = NowMicros();
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(
        tx.Exec("DELETE FROM oauth_states WHERE expires_at < ?", {now - kStateRetentionMicros})
            .status());
    return tx
        .Exec(
            "INSERT INTO oauth_states (state, tenant_id, user_id, provider, redirect_uri, scopes, "
            "sealed_code_verifier, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {auth.state, caller.tenant_id, caller.user_id, provider->name, redirect_uri, scope,
             sealed_verifier, now, now + Micros(options_.state_ttl)})
        .status();
  }));
  return auth;
}

namespace {

// What a spent state hands to the exchange.
struct PendingAuthorization {
  std::string redirect_uri;
  std::string scopes;
  std::string sealed_verifier;
};

// Marks `state` used, atomically: of two exchanges racing on one state, the UPDATE of one
// changes no row. A state of another caller or provider counts as unknown and stays unspent.
StatusOr<PendingAuthorization> SpendState(storage::Engine& engine, const OAuthCaller& caller,
                                          const std::string& provider, const std::string& state) {
  PendingAuthorization pending;
  RETURN_IF_ERROR(engine.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(
        const Rows rows,
        tx.Query("SELECT redirect_uri, scopes, sealed_code_verifier, expires_at, used_at "
                 "FROM oauth_states WHERE state = ? AND tenant_id = ? AND user_id = ? "
                 "AND provider = ?",
                 {state, caller.tenant_id, caller.user_id, provider}));
    if (rows.empty()) return StateError("is unknown");
    const Row& r = rows[0];
    if (!r.IsNull(4)) return StateError("was already used");
    const int64_t now = NowMicros();
    if (r.Int(3) <= now) return StateError("has expired");
    ASSIGN_OR_RETURN(const int64_t spent,
                     tx.Exec("UPDATE oauth_states SET used_at = ? WHERE state = ? AND used_at IS "
                             "NULL",
                             {now, state}));
    if (spent != 1) return StateError("was already used");
    pending = {r.Text(0), r.Text(1), r.Text(2)};
    return Status::OK();
  }));
  return pending;
}

}  // namespace

StatusOr<OAuthCredential> OAuthService::ExchangeCode(const OAuthCaller& caller,
                                                     const OAuthCodeExchange& exchange) {
  ASSIGN_OR_RETURN(const OAuthProvider* provider, Find(exchange.provider));
  RETURN_IF_ERROR(CheckField("code", exchange.code));
  if (exchange.user_email) RETURN_IF_ERROR(CheckField("user_email", *exchange.user_email));
  std::string redirect_uri = exchange.redirect_uri;
  std::string scopes;
  std::string verifier = exchange.code_verifier.value_or("");
  if (exchange.state) {
    RETURN_IF_ERROR(CheckField("state", *exchange.state));
    ASSIGN_OR_RETURN(const PendingAuthorization pending,
                     SpendState(engine_, caller, provider->name, *exchange.state));
    redirect_uri = pending.redirect_uri;
    scopes = pending.scopes;
    if (!pending.sealed_verifier.empty()) {
      ASSIGN_OR_RETURN(verifier,
                       Unseal(pending.sealed_verifier, Context({"oauth state", *exchange.state})));
    }
  } else {
    RETURN_IF_ERROR(CheckRedirectUri(redirect_uri));
    ASSIGN_OR_RETURN(scopes, JoinScopes(provider->scopes));
  }
  if (provider->requires_pkce && verifier.empty()) {
    return Status(Code::kValidation, "OAuth provider '" + provider->name +
                                         "' uses PKCE: pass the state from oauth_get_auth_url");
  }
  FormFields grant = {{"grant_type", "authorization_code"},
                      {"code", exchange.code},
                      {"redirect_uri", redirect_uri}};
  if (!verifier.empty()) grant.emplace_back("code_verifier", verifier);
  ASSIGN_OR_RETURN(const OAuthTokens tokens, RequestTokens(http_, *provider, std::move(grant)));
  std::optional<std::string> email = exchange.user_email;
  if (!email) email = EmailFromIdToken(tokens.id_token);
  if (!email) {
    return Status(Code::kValidation, "OAuth provider '" + provider->name +
                                         "' did not name the account: pass user_email");
  }
  RETURN_IF_ERROR(CheckField("user_email", *email));
  if (!tokens.scope.empty()) scopes = tokens.scope;

  const std::string context = TokenContext(caller, provider->name, *email);
  ASSIGN_OR_RETURN(const std::string sealed_access, Seal(tokens.access_token, context));
  storage::Value sealed_refresh = storage::Null();
  if (!tokens.refresh_token.empty()) {
    ASSIGN_OR_RETURN(sealed_refresh, Seal(tokens.refresh_token, context));
  }
  const int64_t now = NowMicros();
  const std::optional<int64_t> expires_at =
      tokens.expires_in ? std::optional<int64_t>(now + *tokens.expires_in * kMicrosPerSecond)
                        : std::nullopt;
  std::vector<Stored> saved;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    // A provider that issues a refresh token only on first consent keeps the earlier one.
    RETURN_IF_ERROR(
        tx.Exec("INSERT INTO oauth_credentials (credential_id, tenant_id, user_id, provider, "
                "user_email, sealed_access_token, sealed_refresh_token, token_type, scopes, "
                "expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (tenant_id, user_id, provider, user_email) DO UPDATE SET "
                "sealed_access_token = excluded.sealed_access_token, sealed_refresh_token = "
                "COALESCE(excluded.sealed_refresh_token, oauth_credentials.sealed_refresh_token), "
                "token_type = excluded.token_type, scopes = excluded.scopes, expires_at = "
                "excluded.expires_at, updated_at = excluded.updated_at, revoked = 0, "
                "revoked_at = NULL",
                {NewUuid4(), caller.tenant_id, caller.user_id, provider->name, *email,
                 sealed_access, sealed_refresh, tokens.token_type, scopes,
                 storage::OptionalValue(expires_at), now, now})
            .status());
    ASSIGN_OR_RETURN(saved,
                     storage::QueryAll(tx,
                                       std::string("SELECT ") + kCredentialColumns +
                                           " FROM oauth_credentials WHERE tenant_id = ? "
                                           "AND user_id = ? AND provider = ? AND "
                                           "user_email = ?",
                                       {caller.tenant_id, caller.user_id, provider->name, *email},
                                       &Stored::FromRow));
    return saved.size() == 1 ? Status::OK() : Internal("stored OAuth credential not found");
  }));
  return saved[0].credential;
}

StatusOr<std::vector<OAuthCredential>> OAuthService::List(
    const OAuthCaller& caller, const std::optional<std::string>& provider, bool include_revoked) {
  std::string sql =
      std::string("SELECT ") + kCredentialColumns + " FROM oauth_credentials WHERE tenant_id = ?";
  storage::Params params = {caller.tenant_id};
  if (!caller.is_admin) {
    sql += " AND user_id = ?";
    params.push_back(caller.user_id);
  }
  if (provider) {
    sql += " AND provider = ?";
    params.push_back(*provider);
  }
  if (!include_revoked) sql += " AND revoked = 0";
  ASSIGN_OR_RETURN(const std::vector<Stored> stored,
                   storage::ReadAll(engine_, sql + " ORDER BY created_at, credential_id", params,
                                    &Stored::FromRow));
  std::vector<OAuthCredential> out;
  out.reserve(stored.size());
  for (const Stored& s : stored) out.push_back(s.credential);
  return out;
}

// The caller's own credential for the account; for an admin, else the oldest of the tenant's.
StatusOr<std::optional<OAuthService::Stored>> OAuthService::FindLive(const OAuthCaller& caller,
                                                                     const std::string& provider,
                                                                     const std::string& email) {
  std::string sql = std::string("SELECT ") + kCredentialColumns +
                    " FROM oauth_credentials WHERE tenant_id = ? AND provider = ? AND "
                    "user_email = ? AND revoked = 0";
  storage::Params params = {caller.tenant_id, provider, email};
  if (!caller.is_admin) {
    sql += " AND user_id = ?";
    params.push_back(caller.user_id);
  }
  params.push_back(caller.user_id);
  ASSIGN_OR_RETURN(
      std::vector<Stored> found,
      storage::ReadAll(engine_,
                       sql + " ORDER BY CASE WHEN user_id = ? THEN 0 ELSE 1 END, created_at",
                       params, &Stored::FromRow));
  if (found.empty()) return std::optional<Stored>();
  return std::optional<Stored>(std::move(found[0]));
}

StatusOr<OAuthRevocation> OAuthService::Revoke(const OAuthCaller& caller,
                                               const std::string& provider,
                                               const std::string& user_email) {
  ASSIGN_OR_RETURN(const std::optional<Stored> stored, FindLive(caller, provider, user_email));
  if (!stored) {
    return InvalidArgument("No OAuth credential for provider '" + provider + "' and user '" +
                           user_email + "'");
  }
  int64_t changed = 0;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    const int64_t now = NowMicros();
    ASSIGN_OR_RETURN(changed, tx.Exec("UPDATE oauth_credentials SET revoked = 1, revoked_at = ?, "
                                      "updated_at = ? WHERE credential_id = ? AND revoked = 0",
                                      {now, now, stored->credential.credential_id}));
    return Status::OK();
  }));
  if (changed == 0) {
    return InvalidArgument("OAuth credential for provider '" + provider + "' and user '" +
                           user_email + "' was revoked meanwhile");
  }
  OAuthRevocation result;
  StatusOr<const OAuthProvider*> configured = Find(provider);
  if (!configured.ok()) return result;
  // Revoking the refresh token ends the whole grant at providers that support it.
  const std::string& sealed =
      stored->sealed_refresh.empty() ? stored->sealed_access : stored->sealed_refresh;
  StatusOr<std::string> token = Unseal(sealed, stored->Context());
  Status remote = token.ok() ? RevokeAtProvider(http_, **configured, *token) : token.status();
  if (!remote.ok()) result.provider_error = remote.message();
  return result;
}

StatusOr<OAuthAccessToken> OAuthService::Refresh(const OAuthProvider& provider,
                                                 const Stored& stored) {
  return flights_.Do(stored.credential.credential_id,
                     [&] { return RefreshClaimed(provider, stored); });
}

// Makes the refresh once the credential is claimed, unless it turns out to be refreshed
// already. While another node holds the claim, a token still good is not waited for: the
// caller hands it out as it is.
StatusOr<OAuthAccessToken> OAuthService::RefreshClaimed(const OAuthProvider& provider,
                                                        const Stored& stored) {
  for (std::optional<Counted> polling;;) {
    ASSIGN_OR_RETURN(const Claim claim, ClaimRefresh(stored));
    switch (claim.outcome) {
      case Claim::kClaimed:
        return CallProvider(provider, stored);
      case Claim::kReplaced:
        return Current(claim.current, /*refreshed=*/true);
      case Claim::kBusy:
        break;
    }
    if (!claim.current.ExpiredAt(NowMicros())) {
      return Status(Code::kConflict, "another node is refreshing this OAuth token");
    }
    if (!polling) polling.emplace(polling_);
    std::this_thread::sleep_for(options_.refresh_poll);
  }
}

StatusOr<OAuthService::Claim> OAuthService::ClaimRefresh(const Stored& stored) {
  Claim claim;
  const std::string& id = stored.credential.credential_id;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    const int64_t now = NowMicros();
    ASSIGN_OR_RETURN(const Rows rows, tx.Query(std::string("SELECT ") + kCredentialColumns +
                                                   ", refresh_claimed_until FROM oauth_credentials "
                                                   "WHERE credential_id = ? AND revoked = 0",
                                               {id}));
    if (rows.empty()) {
      return NotFound("OAuth credential for provider '" + stored.credential.provider +
                      "' and user '" + stored.credential.user_email + "' was revoked meanwhile");
    }
    claim.current = Stored::FromRow(rows[0]);
    if (claim.current.sealed_access != stored.sealed_access) {
      claim.outcome = Claim::kReplaced;
      return tx
          .Exec("UPDATE oauth_credentials SET last_used_at = ? WHERE credential_id = ?", {now, id})
          .status();
    }
    const std::optional<int64_t> claimed_until = rows[0].OptInt(12);
    if (claimed_until && *claimed_until > now) {
      claim.outcome = Claim::kBusy;
      return Status::OK();
    }
    claim.outcome = Claim::kClaimed;
    return tx
        .Exec("UPDATE oauth_credentials SET refresh_claimed_until = ? WHERE credential_id = ?",
              {now + Micros(options_.refresh_claim), id})
        .status();
  }));
  return claim;
}

// Spends the refresh token at the provider and stores what it answered, ending the claim.
// A failed refresh ends the claim too, so that the next caller may try at once.
StatusOr<OAuthAccessToken> OAuthService::CallProvider(const OAuthProvider& provider,
                                                      const Stored& stored) {
  StatusOr<OAuthAccessToken> refreshed = RefreshAtProvider(provider, stored);
  if (!refreshed.ok()) {
    (void)engine_.Write([&](Tx& tx) {  // else the claim lapses
      return tx
          .Exec("UPDATE oauth_credentials SET refresh_claimed_until = NULL WHERE credential_id = ?",
                {stored.credential.credential_id})
          .status();
    });
  }
  return refreshed;
}

StatusOr<OAuthAccessToken> OAuthService::RefreshAtProvider(const OAuthProvider& provider,
                                                           const Stored& stored) {
  const std::string context = stored.Context();
  ASSIGN_OR_RETURN(const std::string refresh_token, Unseal(stored.sealed_refresh, context));
  ASSIGN_OR_RETURN(const OAuthTokens tokens, RequestTokens(http_, provider,
                                                           {{"grant_type", "refresh_token"},
                                                            {"refresh_token", refresh_token}}));
  ASSIGN_OR_RETURN(const std::string sealed_access, Seal(tokens.access_token, context));
  std::string sealed_refresh = stored.sealed_refresh;
  if (!tokens.refresh_token.empty()) {
    ASSIGN_OR_RETURN(sealed_refresh, Seal(tokens.refresh_token, context));
  }
  const int64_t now = NowMicros();
  OAuthAccessToken out{tokens.access_token, std::nullopt, true};
  if (tokens.expires_in) out.expires_at = now + *tokens.expires_in * kMicrosPerSecond;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    return tx
        .Exec(
            "UPDATE oauth_credentials SET sealed_access_token = ?, sealed_refresh_token = ?, "
            "expires_at = ?, updated_at = ?, last_refreshed_at = ?, last_used_at = ?, "
            "refresh_claimed_until = NULL WHERE credential_id = ? AND revoked = 0",
            {sealed_access, sealed_refresh, storage::OptionalValue(out.expires_at), now, now, now,
             stored.credential.credential_id})
        .status();
  }));
  return out;
}

StatusOr<OAuthAccessToken> OAuthService::Current(const Stored& stored, bool refreshed) const {
  ASSIGN_OR_RETURN(std::string access, Unseal(stored.sealed_access, stored.Context()));
  return OAuthAccessToken{std::move(access), stored.credential.expires_at, refreshed};
}

StatusOr<OAuthAccessToken> OAuthService::GetValidToken(const OAuthCaller& caller,
                                                       const std::string& provider_name,
                                                       const std::string& user_email) {
  ASSIGN_OR_RETURN(const OAuthProvider* provider, Find(provider_name));
  ASSIGN_OR_RETURN(const std::optional<Stored> stored, FindLive(caller, provider_name, user_email));
  if (!stored) {
    return NotFound("No OAuth credential for provider '" + provider_name + "' and user '" +
                    user_email + "'");
  }
  const int64_t now = NowMicros();
  const std::optional<int64_t> expires_at = stored->credential.expires_at;
  const bool expiring = expires_at && *expires_at <= now + Micros(options_.refresh_margin);
  const bool expired = stored->ExpiredAt(now);
  if (expiring && !stored->sealed_refresh.empty()) {
    StatusOr<OAuthAccessToken> refreshed = Refresh(*provider, *stored);
    // A token that is still good is handed out even when its provider cannot refresh it now.
    if (refreshed.ok() || expired) return refreshed;
  } else if (expired) {
    return Status(Code::kValidation, "OAuth token for provider '" + provider_name +
                                         "' has expired and there is no refresh token");
  }
  ASSIGN_OR_RETURN(OAuthAccessToken current, Current(*stored, /*refreshed=*/false));
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    return tx
        .Exec("UPDATE oauth_credentials SET last_used_at = ? WHERE credential_id = ?",
              {now, stored->credential.credential_id})
        .status();
  }));
  return current;
}

StatusOr<OAuthTestResult> OAuthService::Test(const OAuthCaller& caller, const std::string& provider,
                                             const std::string& user_email) {
  RETURN_IF_ERROR(Find(provider).status());
  StatusOr<OAuthAccessToken> token = GetValidToken(caller, provider, user_email);
  OAuthTestResult result;
  if (token.ok()) {
    result.valid = true;
    result.refreshed = token->refreshed;
    result.expires_at = token->expires_at;
    return result;
  }
  const Code code = token.status().code();
  if (code != Code::kNotFound && code != Code::kValidation) return token.status();
  result.error = token.status().message();
  return result;
}

}  // namespace nexus::services

// OAuth credentials (api.md §6.10): authorization URLs whose state and PKCE verifier stay on
// the server, codes exchanged at the provider's token endpoint, and the resulting tokens kept
// sealed (AES-256-GCM) per tenant, user, provider and account, refreshed before they expire.
//
// A user sees and uses only their own credentials; an admin of the tenant also the tenant's.
// Nothing crosses tenants.
//
// One refresh at a time per credential: callers of one process that need the same refresh
// share one call to the provider, and a node claims the credential in the database while it
// refreshes, so that nodes sharing the database do not each spend the refresh token (a
// provider that rotates refresh tokens may revoke the whole grant when one is used twice).
#ifndef NEXUS_SERVICES_OAUTH_OAUTH_CREDENTIALS_H_
#define NEXUS_SERVICES_OAUTH_OAUTH_CREDENTIALS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "services/oauth/oauth_provider.h"
#include "services/outbound_http.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "util/aead.h"
#include "util/single_flight.h"

namespace nexus::services {

struct OAuthCaller {
  std::string tenant_id;
  std::string user_id;
  bool is_admin = false;
};

// Where to send the user, and what the client needs to finish the flow.
struct OAuthAuthorization {
  std::string url;
  std::string state;
  std::string code_verifier;  // PKCE providers only; shown once
  std::string code_challenge;
};

struct OAuthCodeExchange {
  std::string provider;
  std::string code;
  std::optional<std::string> user_email;     // else the id_token's email claim
  std::optional<std::string> state;          // from BeginAuthorization
  std::string redirect_uri;                  // used only without a state
  std::optional<std::string> code_verifier;  // used only without a state
};

struct OAuthCredential {
  std::string credential_id;
  std::string tenant_id;
  std::string user_id;
  std::string provider;
  std::string user_email;
  std::string scopes;  // space-separated
  std::optional<int64_t> expires_at;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
  bool revoked = false;
};

struct OAuthAccessToken {
  std::string access_token;
  std::optional<int64_t> expires_at;
  bool refreshed = false;
};

struct OAuthTestResult {
  bool valid = false;
  bool refreshed = false;
  std::optional<int64_t> expires_at;
  std::string error;  // why not valid
};

struct OAuthRevocation {
  std::string provider_error;  // empty unless the provider's revocation endpoint failed
};

struct OAuthServiceOptions {
  std::chrono::seconds state_ttl{600};
  // A token expiring within this is refreshed before it is handed out.
  std::chrono::seconds refresh_margin{300};
  // How long a node's claim on a refresh lasts: longer than a token request may take (10 s),
  // short enough that the claim of a node that died mid-refresh lapses soon.
  std::chrono::milliseconds refresh_claim{30000};
  // How often a caller whose token has expired looks whether another node's refresh landed.
  std::chrono::milliseconds refresh_poll{100};
};

class OAuthService {
 public:
  OAuthService(storage::Engine& engine, OutboundHttp& http, std::vector<OAuthProvider> providers,
               Aead aead, OAuthServiceOptions options = {})
      : engine_(engine),
        http_(http),
        providers_(std::move(providers)),
        aead_(std::move(aead)),
        options_(options) {}

  const std::vector<OAuthProvider>& providers() const { return providers_; }

  // Stores a state (and the PKCE verifier) for the caller, valid once within state_ttl.
  // `scopes` default to the provider's. kValidation for a provider not configured.
  StatusOr<OAuthAuthorization> BeginAuthorization(
      const OAuthCaller& caller, const std::string& provider, const std::string& redirect_uri,
      const std::optional<std::vector<std::string>>& scopes);

  // Spends the state (a second use fails, even a concurrent one), exchanges the code and
  // stores the tokens, replacing the caller's earlier credential for the same account.
  // kValidation for an unknown, expired or used state, a provider not configured, a token
  // endpoint that fails, or no user_email to be had.
  StatusOr<OAuthCredential> ExchangeCode(const OAuthCaller& caller,
                                         const OAuthCodeExchange& exchange);

  StatusOr<std::vector<OAuthCredential>> List(const OAuthCaller& caller,
                                              const std::optional<std::string>& provider,
                                              bool include_revoked);

  // Marks the credential revoked, then asks the provider to revoke it too (best effort).
  // kInvalidArgument when the caller has no such live credential.
  StatusOr<OAuthRevocation> Revoke(const OAuthCaller& caller, const std::string& provider,
                                   const std::string& user_email);

  // The access token, refreshed first when it expires within refresh_margin. kNotFound
  // without a live credential; kValidation when expired and it cannot be refreshed. While
  // another caller or node refreshes it, a token still good is handed out as it is and an
  // expired one waits for the refreshed one.
  StatusOr<OAuthAccessToken> GetValidToken(const OAuthCaller& caller, const std::string& provider,
                                           const std::string& user_email);

  // GetValidToken as a verdict: a missing, expired or unrefreshable credential is
  // `valid: false` with the reason. kValidation for a provider not configured.
  StatusOr<OAuthTestResult> Test(const OAuthCaller& caller, const std::string& provider,
                                 const std::string& user_email);

  // Callers now waiting for a refresh that another caller, or another node, is making.
  int RefreshWaiters() const { return flights_.waiting() + polling_.load(); }

 private:
  struct Stored;
  struct Claim;

  StatusOr<const OAuthProvider*> Find(const std::string& name) const;
  StatusOr<std::string> Seal(const std::string& plaintext, const std::string& context) const;
  StatusOr<std::string> Unseal(const std::string& stored, const std::string& context) const;
  StatusOr<std::optional<Stored>> FindLive(const OAuthCaller& caller, const std::string& provider,
                                           const std::string& user_email);
  StatusOr<OAuthAccessToken> Refresh(const OAuthProvider& provider, const Stored& stored);
  StatusOr<OAuthAccessToken> RefreshClaimed(const OAuthProvider& provider, const Stored& stored);
  StatusOr<Claim> ClaimRefresh(const Stored& stored);
  StatusOr<OAuthAccessToken> CallProvider(const OAuthProvider& provider, const Stored& stored);
  StatusOr<OAuthAccessToken> RefreshAtProvider(const OAuthProvider& provider, const Stored& stored);
  StatusOr<OAuthAccessToken> Current(const Stored& stored, bool refreshed) const;

  storage::Engine& engine_;
  OutboundHttp& http_;
  const std::vector<OAuthProvider> providers_;
  const Aead aead_;
  const OAuthServiceOptions options_;
  SingleFlight<StatusOr<OAuthAccessToken>> flights_;  // refreshes by credential_id
  std::atomic<int> polling_{0};                       // callers waiting for another node's refresh
};

// Migrations 11 and 14, OAuth's tables: generated from migrations/*.sql by cmake/migrations.cmake.
std::span<const storage::Migration> OAuthSchema();

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_OAUTH_OAUTH_CREDENTIALS_H_

// Talking to a provider's token endpoint (RFC 6749 §4.1.3, §6) and revocation endpoint
// (RFC 7009). The client authenticates with client_id and client_secret in the form body
// (client_secret_post).
#ifndef NEXUS_SERVICES_OAUTH_OAUTH_TOKEN_ENDPOINT_H_
#define NEXUS_SERVICES_OAUTH_OAUTH_TOKEN_ENDPOINT_H_

#include <optional>
#include <string>

#include "services/oauth/oauth_provider.h"
#include "services/outbound_http.h"
#include "util/form_urlencoded.h"
#include "util/status.h"

namespace nexus::services {

// A successful token response.
struct OAuthTokens {
  std::string access_token;
  std::string refresh_token;  // empty when none was issued
  std::string token_type;
  std::optional<int64_t> expires_in;  // seconds, 0 to ten years
  std::string scope;                  // space-separated; empty when the endpoint said none
  std::string id_token;               // OpenID Connect; empty when none
};

// POSTs `grant` (grant_type and its fields) plus the client's credentials. An unreachable
// endpoint, an error answer or a body that is not a token response is kValidation naming
// the provider and what the endpoint said; so is an expires_in that is not a number.
StatusOr<OAuthTokens> RequestTokens(OutboundHttp& http, const OAuthProvider& provider,
                                    FormFields grant);

// Asks the provider to revoke `token` when it has a revoke_url. Errors are for the caller
// to log: revocation at the provider is best effort.
Status RevokeAtProvider(OutboundHttp& http, const OAuthProvider& provider,
                        const std::string& token);

// The `email` claim of an OpenID Connect id_token. The signature is not checked: the token
// came straight from the provider over the connection we opened, not from the caller.
std::optional<std::string> EmailFromIdToken(const std::string& id_token);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_OAUTH_OAUTH_TOKEN_ENDPOINT_H_

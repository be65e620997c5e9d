// The `oauth` section of the config file: providers and the key that seals their tokens.
//
//   oauth:
//     encryption_key: <base64 of 32 bytes>   # optional; else <data-dir>/oauth.key
//     providers:
//       - name: google
//         display_name: Google
//         client_id: ...
//         client_secret: ...
//         authorize_url: https://accounts.google.com/o/oauth2/v2/auth
//         token_url: https://oauth2.googleapis.com/token
//         revoke_url: https://oauth2.googleapis.com/revoke   # optional
//         scopes: [openid, email]
//         requires_pkce: true                                # or pkce
//         metadata: {icon: google}                           # optional
#ifndef NEXUS_CLI_OAUTH_CONFIG_H_
#define NEXUS_CLI_OAUTH_CONFIG_H_

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "services/oauth/oauth_provider.h"
#include "util/status.h"

namespace nexus::cli {

struct OAuthConfig {
  std::vector<services::OAuthProvider> providers;
  std::string encryption_key;  // base64, as configured; empty: the data directory's key file
};

// Reads and validates `node` (the value of the `oauth` key). Every error is kInvalidArgument
// naming the key ("oauth.providers[1].token_url"). Keys it does not know go to `ignored`.
Status ReadOAuthConfig(const YAML::Node& node, OAuthConfig* out, std::vector<std::string>* ignored);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_OAUTH_CONFIG_H_

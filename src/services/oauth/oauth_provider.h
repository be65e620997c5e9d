// An OAuth 2.0 provider as the config file names it (`oauth.providers`): where users
// authorize, where codes and refresh tokens are exchanged, and the client's identity there.
#ifndef NEXUS_SERVICES_OAUTH_OAUTH_PROVIDER_H_
#define NEXUS_SERVICES_OAUTH_OAUTH_PROVIDER_H_

#include <string>
#include <vector>

namespace nexus::services {

struct OAuthProvider {
  std::string name;  // what the RPC methods name it by
  std::string display_name;
  std::string client_id;
  std::string client_secret;
  std::string authorize_url;  // http(s)
  std::string token_url;      // http(s)
  std::string revoke_url;     // optional (RFC 7009); empty: revocation stays local
  std::vector<std::string> scopes;
  bool requires_pkce = false;
  std::string metadata_json = "{}";  // a JSON object, shown by oauth_list_providers
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_OAUTH_OAUTH_PROVIDER_H_

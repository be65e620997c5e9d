#include "cli/oauth_config.h"

#include <gtest/gtest.h>

namespace nexus::cli {
namespace {

constexpr char kProvider[] = R"(
providers:
  - name: google
    display_name: Google
    client_id: cid
    client_secret: secret
    authorize_url: https://accounts.example/auth
    token_url: http://127.0.0.1:9/token
    revoke_url: https://accounts.example/revoke
    scopes: [openid, email]
    requires_pkce: true
    metadata: {icon: g, tags: [a, b]}
    userinfo_url: https://accounts.example/me
  - name: plain
    client_id: cid2
    client_secret: s2
    authorize_url: https://plain.example/auth
    token_url: https://plain.example/token
encryption_key: a2V5
)";

Status Read(const std::string& yaml, OAuthConfig* out, std::vector<std::string>* ignored) {
  return ReadOAuthConfig(YAML::Load(yaml), out, ignored);
}

TEST(OAuthConfigTest, ReadsProviders) {
  OAuthConfig config;
  std::vector<std::string> ignored;
  ASSERT_TRUE(Read(kProvider, &config, &ignored).ok());
  ASSERT_EQ(config.providers.size(), 2u);
  const services::OAuthProvider& g = config.providers[0];
  EXPECT_EQ(g.name, "google");
  EXPECT_EQ(g.display_name, "Google");
  EXPECT_EQ(g.token_url, "http://127.0.0.1:9/token");
  EXPECT_EQ(g.scopes, (std::vector<std::string>{"openid", "email"}));
  EXPECT_TRUE(g.requires_pkce);
  EXPECT_EQ(g.metadata_json, R"({"icon":"g","tags":["a","b"]})");
  EXPECT_EQ(config.providers[1].display_name, "plain") << "defaults to the name";
  EXPECT_FALSE(config.providers[1].requires_pkce);
  EXPECT_EQ(config.providers[1].metadata_json, "{}");
  EXPECT_EQ(config.encryption_key, "a2V5");
  EXPECT_EQ(ignored, std::vector<std::string>{"oauth.providers[0].userinfo_url"});
}

TEST(OAuthConfigTest, ErrorsNameTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"providers: {}", "'oauth.providers'"},
      {"providers: [{name: x, client_secret: s, authorize_url: 'https://a/', token_url: "
       "'https://a/t'}]",
       "'oauth.providers[0].client_id'"},
      {"providers: [{name: x, client_id: c, client_secret: s, authorize_url: 'ftp://a/', "
       "token_url: 'https://a/t'}]",
       "'oauth.providers[0].authorize_url'"},
      {"providers: [{name: x, client_id: c, client_secret: s, authorize_url: 'https://a/', "
       "token_url: 'https://a/t', pkce: maybe}]",
       "'oauth.providers[0].pkce'"},
      {"providers: [{name: 'a b', client_id: c, client_secret: s, authorize_url: 'https://a/', "
       "token_url: 'https://a/t'}]",
       "'oauth.providers[0].name'"},
      {"providers: [{name: x, client_id: c, authorize_url: 'https://a/', token_url: "
       "'https://a/t'}]",
       "'oauth.providers[0].client_secret'"},
      {"providers: [{name: x, client_id: c, client_secret: s, authorize_url: 'https://a/', "
       "token_url: 'https://a/t'}, {name: x, client_id: c, client_secret: s, authorize_url: "
       "'https://a/', token_url: 'https://a/t'}]",
       "'oauth.providers[1].name'"},
      {"providers: [{name: x, client_id: c, client_secret: s, authorize_url: 'https://a/', "
       "token_url: 'https://a/t', scopes: 'email'}]",
       "'oauth.providers[0].scopes'"},
      {"encryption_key: [1]", "'oauth.encryption_key'"},
  };
  for (const auto& [yaml, key] : cases) {
    OAuthConfig config;
    std::vector<std::string> ignored;
    const Status s = Read(yaml, &config, &ignored);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << yaml;
    EXPECT_NE(s.message().find(key), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace nexus::cli

// OAuth credentials over HTTP (api.md §6.10) against a token endpoint on the loopback
// interface: the whole round trip, one-time states, tenancy, and tokens sealed at rest.
#include <atomic>

#include "storage/engine.h"
#include "testing/loopback_http_server.h"
#include "tests/http_test_fixture.h"
#include "util/file.h"
#include "util/form_urlencoded.h"

namespace nexus::e2e {
namespace {

// Servers on PostgreSQL must be given the key (base64 of 32 bytes).
const std::string kEncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

// Part of every token the endpoint issues, to look for in the database.
constexpr char kTokenMark[] = "PLAINTOKENBYTES";

// A token endpoint: "good-code" is exchanged for tokens valid `expires_in_` seconds (within
// the five-minute refresh margin, so a test refreshes them); refresh tokens are honoured.
class TokenEndpoint {
 public:
  TokenEndpoint() : server_([this](const test::ReceivedRequest& r) { return Answer(r); }) {}

  std::string url(const std::string& path) const { return server_.url(path); }
  std::vector<test::ReceivedRequest> requests() const { return server_.requests(); }
  // The form fields of the last request.
  std::map<std::string, std::string> LastForm() const {
    std::map<std::string, std::string> form;
    const StatusOr<FormFields> fields = FormDecode(server_.requests().back().body);
    for (const auto& [k, v] : *fields) form[k] = v;
    return form;
  }

 private:
  test::CannedReply Answer(const test::ReceivedRequest& r) {
    const StatusOr<FormFields> fields = FormDecode(r.body);
    std::map<std::string, std::string> form;
    for (const auto& [k, v] : *fields) form[k] = v;
    const test::CannedReply refused{400,
                                    {{"Content-Type", "application/json"}},
                                    R"({"error":"invalid_grant","error_description":"no"})"};
    if (r.target == "/revoke") return {200, {}, ""};
    const bool good = (form["grant_type"] == "authorization_code" && form["code"] == "good-code") ||
                      (form["grant_type"] == "refresh_token" && !form["refresh_token"].empty());
    if (!good || form["client_secret"] != "s3cret") return refused;
    const std::string n = std::to_string(++issued_);
    return {200,
            {{"Content-Type", "application/json"}},
            Json{{"access_token", std::string("access-") + kTokenMark + n},
                 {"refresh_token", std::string("refresh-") + kTokenMark + n},
                 {"token_type", "Bearer"},
                 {"expires_in", 120}}
                .dump()};
  }

  std::atomic<int> issued_{0};
  test::LoopbackHttpServer server_;
};

class OAuthHttpTest : public HttpTest {
 protected:
  void SetUp() override {
    const std::string config = dir_.path() + "/oauth.yaml";
    const std::string yaml = "oauth:\n  encryption_key: " + kEncryptionKey +
                             "\n  providers:\n"
                             "    - name: loopback\n"
                             "      display_name: Loopback\n"
                             "      client_id: nexus\n"
                             "      client_secret: s3cret\n"
                             "      authorize_url: https://auth.example/authorize\n"
                             "      token_url: " +
                             endpoint_.url("/token") +
                             "\n"
                             "      revoke_url: " +
                             endpoint_.url("/revoke") +
                             "\n"
                             "      scopes: [email, files]\n"
                             "      requires_pkce: true\n"
                             "      metadata: {icon: loop}\n";
    ASSERT_TRUE(WriteFileAtomically(config, yaml, false).ok());
    config_args_ = {"--config", config};
    HttpTest::SetUp();
  }
  std::vector<std::string> ServeArgs() const override { return config_args_; }

  // get_auth_url then exchange_code as `key`; returns the exchange's answer.
  Json Authorize(const std::string& key, const std::string& email) {
    const Json auth = Result("oauth_get_auth_url", {{"provider", "loopback"}}, key);
    return Rpc("oauth_exchange_code",
               {{"provider", "loopback"},
                {"code", "good-code"},
                {"state", auth["state"]},
                {"user_email", email}},
               key);
  }

  TokenEndpoint endpoint_;
  std::vector<std::string> config_args_;
};

TEST_P(OAuthHttpTest, RoundTripAgainstTheLoopbackTokenEndpoint) {
  const std::string alice = NewUserKey("alice");
  EXPECT_EQ(Result("oauth_list_providers", Json::object(), alice),
            Json::parse(R"([{"name":"loopback","display_name":"Loopback",
                             "scopes":["email","files"],"requires_pkce":true,
                             "metadata":{"icon":"loop"}}])"));

  const Json auth =
      Result("oauth_get_auth_url",
             {{"provider", "loopback"}, {"redirect_uri", "http://localhost:3000/cb"}}, alice);
  const std::string url = auth["url"];
  EXPECT_EQ(url.find("https://auth.example/authorize?response_type=code&client_id=nexus"), 0u)
      << url;
  EXPECT_NE(url.find("state=" + auth["state"].get<std::string>()), std::string::npos);
  EXPECT_NE(url.find("code_challenge=" + auth["pkce_data"]["code_challenge"].get<std::string>()),
            std::string::npos);
  EXPECT_EQ(auth["pkce_data"]["code_challenge_method"], "S256");

  const Json exchanged = Result("oauth_exchange_code",
                                {{"provider", "loopback"},
                                 {"code", "good-code"},
                                 {"state", auth["state"]},
                                 {"user_email", "alice@example.com"}},
                                alice);
  EXPECT_EQ(exchanged.size(), 4u) << exchanged.dump();
  EXPECT_EQ(exchanged["success"], true);
  EXPECT_EQ(exchanged["user_email"], "alice@example.com");
  EXPECT_TRUE(exchanged["expires_at"].is_string());
  const std::map<std::string, std::string> form = endpoint_.LastForm();
  EXPECT_EQ(form.at("code_verifier"), auth["pkce_data"]["code_verifier"]);
  EXPECT_EQ(form.at("redirect_uri"), "http://localhost:3000/cb");
  EXPECT_EQ(endpoint_.requests().back().target, "/token");

  const Json listed = Result("oauth_list_credentials", Json::object(), alice);
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  const Json& c = listed[0];
  EXPECT_EQ(c["credential_id"], exchanged["credential_id"]);
  EXPECT_EQ(c["provider"], "loopback");
  EXPECT_EQ(c["user_id"], "alice");
  EXPECT_EQ(c["tenant_id"], "default");
  EXPECT_EQ(c["is_expired"], false);
  EXPECT_TRUE(c["created_at"].is_string());
  EXPECT_TRUE(c["last_used_at"].is_null());
  for (const char* key : {"credential_id", "provider", "user_email", "user_id", "tenant_id",
                          "expires_at", "is_expired", "created_at", "last_used_at"}) {
    EXPECT_TRUE(c.contains(key)) << key;
  }

  const Json tested =
      Result("oauth_test_credential",
             {{"provider", "loopback"}, {"user_email", "alice@example.com"}}, alice);
  EXPECT_EQ(tested["valid"], true) << tested.dump();
  EXPECT_EQ(tested["refreshed"], true) << "120 s left is within the refresh margin";
  EXPECT_TRUE(tested["expires_at"].is_string());
  EXPECT_EQ(endpoint_.LastForm().at("grant_type"), "refresh_token");
  EXPECT_TRUE(
      Result("oauth_list_credentials", Json::object(), alice)[0]["last_used_at"].is_string());

  const Json revoked =
      Result("oauth_revoke_credential",
             {{"provider", "loopback"}, {"user_email", "alice@example.com"}}, alice);
  EXPECT_EQ(revoked["success"], true);
  EXPECT_EQ(endpoint_.requests().back().target, "/revoke");
  EXPECT_TRUE(Result("oauth_list_credentials", Json::object(), alice).empty());
  const Json all = Result("oauth_list_credentials", {{"include_revoked", true}}, alice);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["revoked"], true);
  EXPECT_EQ(ErrorCode("oauth_revoke_credential",
                      {{"provider", "loopback"}, {"user_email", "alice@example.com"}}, alice),
            -32602);
}

TEST_P(OAuthHttpTest, TokensAreSealedInTheDatabase) {
  ASSERT_TRUE(Authorize(kAdminKey, "admin@example.com").contains("result"));
  ASSERT_EQ(server_->Stop(), 0) << server_->output();
  const std::string url = database_url_.empty() ? dir_.path() + "/nexus.db" : database_url_;
  StatusOr<std::unique_ptr<storage::Engine>> engine =
      storage::OpenEngine(url, storage::Durability::kNormal);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  std::vector<std::string> stored;
  ASSERT_TRUE((*engine)
                  ->Read([&](storage::Tx& tx) -> Status {
                    ASSIGN_OR_RETURN(const storage::Rows rows,
                                     tx.Query("SELECT sealed_access_token, sealed_refresh_token "
                                              "FROM oauth_credentials"));
                    for (const storage::Row& r : rows) stored = {r.Text(0), r.Text(1)};
                    return Status::OK();
                  })
                  .ok());
  ASSERT_EQ(stored.size(), 2u);
  for (const std::string& bytes : stored) {
    EXPECT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.find(kTokenMark), std::string::npos) << bytes;
    EXPECT_EQ(bytes.find("access-"), std::string::npos) << bytes;
  }
}

TEST_P(OAuthHttpTest, StatesAreSpentOnceAndProvidersMustBeConfigured) {
  const Json auth = Result("oauth_get_auth_url", {{"provider", "loopback"}});
  const Json exchange = {{"provider", "loopback"},
                         {"code", "good-code"},
                         {"state", auth["state"]},
                         {"user_email", "a@example.com"}};
  const std::string bob = NewUserKey("bob");
  EXPECT_EQ(ErrorCode("oauth_exchange_code", exchange, bob), -32005) << "not bob's state";
  EXPECT_TRUE(Rpc("oauth_exchange_code", exchange).contains("result"));
  const Json again = Rpc("oauth_exchange_code", exchange);
  EXPECT_EQ(again["error"]["code"], -32005) << again.dump();
  Json unknown = exchange;
  unknown["state"] = "no-such-state";
  EXPECT_EQ(ErrorCode("oauth_exchange_code", unknown), -32005);

  const Json missing = Rpc("oauth_get_auth_url", {{"provider", "github"}});
  EXPECT_EQ(missing["error"]["code"], -32005);
  EXPECT_NE(missing["error"]["message"].get<std::string>().find("'github'"), std::string::npos);
  EXPECT_EQ(ErrorCode("oauth_exchange_code", {{"provider", "github"}, {"code", "c"}}), -32005);
  EXPECT_EQ(ErrorCode("oauth_test_credential", {{"provider", "github"}, {"user_email", "a@x"}}),
            -32005);

  const Json fresh = Result("oauth_get_auth_url", {{"provider", "loopback"}});
  const Json refused = Rpc("oauth_exchange_code", {{"provider", "loopback"},
                                                   {"code", "bad-code"},
                                                   {"state", fresh["state"]},
                                                   {"user_email", "a@example.com"}});
  EXPECT_EQ(refused["error"]["code"], -32005);
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("invalid_grant"), std::string::npos)
      << refused.dump();

  EXPECT_EQ(
      ErrorCode("oauth_get_auth_url", {{"provider", "loopback"}, {"redirect_uri", "ftp://x"}}),
      -32602);
  EXPECT_EQ(ErrorCode("oauth_get_auth_url", {{"provider", 7}}), -32602);
  EXPECT_EQ(ErrorCode("oauth_exchange_code",
                      {{"provider", "loopback"}, {"code", "c"}, {"code_verifier", 1}}),
            -32602);
}

TEST_P(OAuthHttpTest, CredentialsStayWithTheirUserAndTenant) {
  const std::string alice = NewUserKey("alice");
  const std::string bob = NewUserKey("bob");
  const std::string eve = NewUserKey("eve", "other");
  ASSERT_TRUE(Authorize(alice, "alice@example.com").contains("result"));
  const Json target = {{"provider", "loopback"}, {"user_email", "alice@example.com"}};
  EXPECT_TRUE(Result("oauth_list_credentials", {{"include_revoked", true}}, bob).empty());
  EXPECT_TRUE(Result("oauth_list_credentials", {{"include_revoked", true}}, eve).empty());
  EXPECT_EQ(Result("oauth_list_credentials", Json::object()).size(), 1u)
      << "the tenant's admin sees it";
  EXPECT_EQ(Result("oauth_test_credential", target, bob)["valid"], false);
  EXPECT_EQ(Result("oauth_test_credential", target, eve)["valid"], false);
  EXPECT_EQ(ErrorCode("oauth_revoke_credential", target, bob), -32602);
  EXPECT_EQ(ErrorCode("oauth_revoke_credential", target, eve), -32602);
  EXPECT_EQ(Result("oauth_list_credentials", Json::object(), alice).size(), 1u);
}

NEXUS_INSTANTIATE_ENGINES(OAuthHttpTest);

// A server without an `oauth` section answers the listings with empty lists.
class OAuthUnconfiguredHttpTest : public HttpTest {};

TEST_P(OAuthUnconfiguredHttpTest, NoProvidersEmptyLists) {
  EXPECT_EQ(Result("oauth_list_providers", Json::object()), Json::array());
  EXPECT_EQ(Result("oauth_list_credentials", Json::object()), Json::array());
  const Json missing = Rpc("oauth_get_auth_url", {{"provider", "google"}});
  EXPECT_EQ(missing["error"]["code"], -32005);
  EXPECT_NE(missing["error"]["message"].get<std::string>().find("'google'"), std::string::npos);
}

NEXUS_INSTANTIATE_ENGINES(OAuthUnconfiguredHttpTest);

}  // namespace
}  // namespace nexus::e2e

#include "services/oauth/oauth_credentials.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <thread>

#include "testing/eventually.h"
#include "testing/test_store.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/form_urlencoded.h"
#include "util/hash.h"
#include "util/ids.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::services {
namespace {

using test::Eventually;

// A token endpoint in memory: records each request's form fields and answers with `answer`,
// after holding it while Hold() is in force.
class FakeTokenEndpoint : public OutboundHttp {
 public:
  using Answer = std::function<StatusOr<OutboundResponse>(std::map<std::string, std::string>&)>;

  StatusOr<OutboundResponse> Send(const OutboundRequest& request) override {
    MutexLock lock(&mu_);
    std::map<std::string, std::string> form;
    const StatusOr<FormFields> fields = FormDecode(request.body);
    for (const auto& [k, v] : *fields) form[k] = v;
    urls_.push_back(request.url);
    forms_.push_back(form);
    changed_.SignalAll();
    changed_.Wait(&mu_, [this]() REQUIRES(mu_) { return !held_; });
    return answer_(form);
  }

  void SetAnswer(Answer answer) { answer_ = std::move(answer); }
  void Hold() {
    MutexLock lock(&mu_);
    held_ = true;
  }
  void Release() {
    MutexLock lock(&mu_);
    held_ = false;
    changed_.SignalAll();
  }
  // Requests so far with this grant_type.
  size_t Grants(const std::string& grant_type) const {
    MutexLock lock(&mu_);
    return CountGrants(grant_type);
  }
  // Whether `n` requests with this grant_type arrived within 10 s.
  bool WaitForGrants(const std::string& grant_type, size_t n) const {
    MutexLock lock(&mu_);
    return changed_.WaitFor(&mu_, std::chrono::seconds(10),
                            [&]() REQUIRES(mu_) { return CountGrants(grant_type) >= n; });
  }
  std::map<std::string, std::string> LastForm() const {
    MutexLock lock(&mu_);
    return forms_.back();
  }
  std::string LastUrl() const {
    MutexLock lock(&mu_);
    return urls_.back();
  }

 private:
  size_t CountGrants(const std::string& grant_type) const REQUIRES(mu_) {
    size_t n = 0;
    for (const auto& form : forms_)
      n += form.contains("grant_type") && form.at("grant_type") == grant_type;
    return n;
  }

  mutable Mutex mu_;
  mutable CondVar changed_;  // a request arrived, or Release()
  Answer answer_;            // set before use
  std::vector<std::string> urls_ GUARDED_BY(mu_);
  std::vector<std::map<std::string, std::string>> forms_ GUARDED_BY(mu_);
  bool held_ GUARDED_BY(mu_) = false;
};

OutboundResponse JsonAnswer(int status, const std::string& body) {
  return OutboundResponse{status, {{"Content-Type", "application/json"}}, body};
}

// Hands out "access-N" and "refresh-N" tokens valid for `expires_in` seconds.
FakeTokenEndpoint::Answer IssueTokens(int expires_in) {
  auto issued = std::make_shared<int>(0);
  return [issued, expires_in](std::map<std::string, std::string>&) -> StatusOr<OutboundResponse> {
    const std::string n = std::to_string(++*issued);
    return JsonAnswer(200, R"({"access_token":"access-)" + n + R"(","refresh_token":"refresh-)" +
                               n + R"(","token_type":"Bearer","expires_in":)" +
                               std::to_string(expires_in) + "}");
  };
}

// Exchanges answer with tokens that expire in `expires_in` seconds, refreshes as IssueTokens.
FakeTokenEndpoint::Answer ExchangeExpiringIn(int expires_in) {
  auto refresh = IssueTokens(3600);
  return [=](std::map<std::string, std::string>& form) -> StatusOr<OutboundResponse> {
    if (form["grant_type"] == "refresh_token") return refresh(form);
    return JsonAnswer(200, R"({"access_token":"old","refresh_token":"refresh-0","expires_in":)" +
                               std::to_string(expires_in) + "}");
  };
}

OAuthProvider Provider(std::string name, bool pkce) {
  OAuthProvider p;
  p.name = std::move(name);
  p.display_name = "Provider " + p.name;
  p.client_id = "client-" + p.name;
  p.client_secret = "secret-" + p.name;
  p.authorize_url = "https://auth.example/authorize?tenant=x";
  p.token_url = "https://auth.example/token";
  p.revoke_url = "https://auth.example/revoke";
  p.scopes = {"email", "drive"};
  p.requires_pkce = pkce;
  return p;
}

class OAuthCredentialsTest : public ::testing::TestWithParam<test::EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    endpoint_.SetAnswer(IssueTokens(3600));
    Open({});
  }

  void Open(OAuthServiceOptions options) { oauth_ = NewService(options); }

  // A service on the store: another one is another node sharing the database.
  std::unique_ptr<OAuthService> NewService(OAuthServiceOptions options) {
    return std::make_unique<OAuthService>(
        *store_.engine, endpoint_,
        std::vector<OAuthProvider>{Provider("google", true), Provider("plain", false)},
        *Aead::Create(std::string(32, 'k')), options);
  }

  // A full authorization of `caller` for `email`; returns the credential.
  OAuthCredential Authorize(const OAuthCaller& caller, const std::string& email,
                            const std::string& provider = "google") {
    auto auth = oauth_->BeginAuthorization(caller, provider, "http://localhost:3000/cb", {});
    EXPECT_TRUE(auth.ok()) << auth.status().ToString();
    auto credential =
        oauth_->ExchangeCode(caller, {provider, "code-1", email, auth->state, "", {}});
    EXPECT_TRUE(credential.ok()) << credential.status().ToString();
    return credential.ok() ? *credential : OAuthCredential{};
  }

  test::TestStore store_;
  FakeTokenEndpoint endpoint_;
  std::unique_ptr<OAuthService> oauth_;
  const OAuthCaller alice_{"default", "alice", false};
  const OAuthCaller bob_{"default", "bob", false};
  const OAuthCaller admin_{"default", "admin", true};
  const OAuthCaller other_admin_{"other", "admin", true};
};

TEST_P(OAuthCredentialsTest, RoundTripWithPkce) {
  auto auth = oauth_->BeginAuthorization(alice_, "google", "http://localhost:3000/cb", {});
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_GE(auth->state.size(), 22u) << "at least 128 random bits";
  EXPECT_EQ(auth->code_challenge, Base64UrlEncode(Sha256(auth->code_verifier)));
  EXPECT_EQ(auth->url.find("https://auth.example/authorize?tenant=x&response_type=code"), 0u)
      << auth->url;
  for (const std::string& part : std::vector<std::string>{
           "client_id=client-google", "state=" + auth->state, "scope=email%20drive",
           "code_challenge_method=S256", "redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb"}) {
    EXPECT_NE(auth->url.find(part), std::string::npos) << part << " in " << auth->url;
  }

  auto credential = oauth_->ExchangeCode(
      alice_, {"google", "the-code", "alice@example.com", auth->state, "http://ignored", {}});
  ASSERT_TRUE(credential.ok()) << credential.status().ToString();
  const auto form = endpoint_.LastForm();
  EXPECT_EQ(endpoint_.LastUrl(), "https://auth.example/token");
  EXPECT_EQ(form.at("grant_type"), "authorization_code");
  EXPECT_EQ(form.at("code"), "the-code");
  EXPECT_EQ(form.at("redirect_uri"), "http://localhost:3000/cb") << "the state's, not the param";
  EXPECT_EQ(form.at("code_verifier"), auth->code_verifier);
  EXPECT_EQ(form.at("client_id"), "client-google");
  EXPECT_EQ(form.at("client_secret"), "secret-google");
  EXPECT_EQ(credential->user_email, "alice@example.com");
  EXPECT_EQ(credential->scopes, "email drive");
  ASSERT_TRUE(credential->expires_at.has_value());
  EXPECT_TRUE(IsUuid4(credential->credential_id));

  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM oauth_credentials WHERE sealed_access_token LIKE "
                         "'%access-1%' OR sealed_refresh_token LIKE '%refresh-1%'"),
            0)
      << "tokens are stored sealed";
  auto listed = oauth_->List(alice_, std::nullopt, false);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].credential_id, credential->credential_id);

  auto token = oauth_->GetValidToken(alice_, "google", "alice@example.com");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->access_token, "access-1");
  EXPECT_FALSE(token->refreshed);
  EXPECT_TRUE((*oauth_->List(alice_, "google", false))[0].last_used_at.has_value());

  auto revoked = oauth_->Revoke(alice_, "google", "alice@example.com");
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(endpoint_.LastUrl(), "https://auth.example/revoke");
  EXPECT_EQ(endpoint_.LastForm().at("token"), "refresh-1");
  EXPECT_TRUE(oauth_->List(alice_, std::nullopt, false)->empty());
  auto all = oauth_->List(alice_, std::nullopt, true);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE((*all)[0].revoked);
  EXPECT_EQ(oauth_->Revoke(alice_, "google", "alice@example.com").status().code(),
            Code::kInvalidArgument);
  EXPECT_FALSE(oauth_->Test(alice_, "google", "alice@example.com")->valid);
}

TEST_P(OAuthCredentialsTest, StateIsUsedOnceByItsOwnerBeforeItExpires) {
  auto auth = oauth_->BeginAuthorization(alice_, "plain", "http://localhost/cb", {});
  ASSERT_TRUE(auth.ok());
  EXPECT_TRUE(auth->code_verifier.empty());
  EXPECT_EQ(auth->url.find("code_challenge"), std::string::npos);
  const OAuthCodeExchange exchange{"plain", "c", "a@x", auth->state, "", {}};
  EXPECT_EQ(oauth_->ExchangeCode(bob_, exchange).status().code(), Code::kValidation)
      << "another user's state is unknown to bob";
  EXPECT_EQ(oauth_->ExchangeCode({"other", "alice", false}, exchange).status().code(),
            Code::kValidation);
  ASSERT_TRUE(oauth_->ExchangeCode(alice_, exchange).ok()) << "and stays unspent";
  const Status again = oauth_->ExchangeCode(alice_, exchange).status();
  EXPECT_EQ(again.code(), Code::kValidation);
  EXPECT_NE(again.message().find("already used"), std::string::npos) << again.message();
  EXPECT_EQ(
      oauth_->ExchangeCode(alice_, {"plain", "c", "a@x", "no-such-state", "", {}}).status().code(),
      Code::kValidation);

  Open({.state_ttl = std::chrono::seconds(0)});
  auto expired = oauth_->BeginAuthorization(alice_, "plain", "http://localhost/cb", {});
  const Status late =
      oauth_->ExchangeCode(alice_, {"plain", "c", "a@x", expired->state, "", {}}).status();
  EXPECT_EQ(late.code(), Code::kValidation);
  EXPECT_NE(late.message().find("expired"), std::string::npos) << late.message();
}

TEST_P(OAuthCredentialsTest, ConcurrentExchangesOfOneStateSucceedOnce) {
  auto auth = oauth_->BeginAuthorization(alice_, "plain", "http://localhost/cb", {});
  ASSERT_TRUE(auth.ok());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (oauth_->ExchangeCode(alice_, {"plain", "c", "a@x", auth->state, "", {}}).ok()) ++ok;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
}

TEST_P(OAuthCredentialsTest, BadInput) {
  const Status unknown =
      oauth_->BeginAuthorization(alice_, "github", "http://localhost/cb", {}).status();
  EXPECT_EQ(unknown.code(), Code::kValidation);
  EXPECT_NE(unknown.message().find("'github'"), std::string::npos) << unknown.message();
  EXPECT_EQ(
      oauth_->ExchangeCode(alice_, {"github", "c", "a@x", {}, "http://l/cb", {}}).status().code(),
      Code::kValidation);
  EXPECT_EQ(oauth_->Test(alice_, "github", "a@x").status().code(), Code::kValidation);
  EXPECT_EQ(oauth_->BeginAuthorization(alice_, "plain", "ftp://x/cb", {}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      oauth_->BeginAuthorization(alice_, "plain", "http://x/cb", std::vector<std::string>{"a b"})
          .status()
          .code(),
      Code::kInvalidArgument);
  EXPECT_EQ(
      oauth_->ExchangeCode(alice_, {"plain", "", "a@x", {}, "http://l/cb", {}}).status().code(),
      Code::kInvalidArgument);
  const Status no_verifier =
      oauth_->ExchangeCode(alice_, {"google", "c", "a@x", {}, "http://l/cb", {}}).status();
  EXPECT_EQ(no_verifier.code(), Code::kValidation) << "a PKCE provider needs the state";
  EXPECT_TRUE(
      oauth_->ExchangeCode(alice_, {"google", "c", "a@x", {}, "http://l/cb", "verifier"}).ok())
      << "or the client's own code_verifier";
  EXPECT_EQ(endpoint_.LastForm().at("code_verifier"), "verifier");
}

TEST_P(OAuthCredentialsTest, TokenEndpointFailuresAndTheAccountName) {
  endpoint_.SetAnswer([](auto&) -> StatusOr<OutboundResponse> {
    return JsonAnswer(400, R"({"error":"invalid_grant","error_description":"Bad code"})");
  });
  const Status refused =
      oauth_->ExchangeCode(alice_, {"plain", "c", "a@x", {}, "http://l/cb", {}}).status();
  EXPECT_EQ(refused.code(), Code::kValidation);
  EXPECT_NE(refused.message().find("'plain'"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("invalid_grant: Bad code"), std::string::npos);

  endpoint_.SetAnswer(
      [](auto&) -> StatusOr<OutboundResponse> { return JsonAnswer(200, "<html>"); });
  EXPECT_EQ(
      oauth_->ExchangeCode(alice_, {"plain", "c", "a@x", {}, "http://l/cb", {}}).status().code(),
      Code::kValidation);

  endpoint_.SetAnswer([](auto&) -> StatusOr<OutboundResponse> {
    return Status(Code::kIOError, "auth.example: connection refused");
  });
  const Status down =
      oauth_->ExchangeCode(alice_, {"plain", "c", "a@x", {}, "http://l/cb", {}}).status();
  EXPECT_EQ(down.code(), Code::kValidation);
  EXPECT_NE(down.message().find("https://auth.example/token"), std::string::npos);

  const std::string id_token = Base64UrlEncode(R"({"alg":"none"})") + "." +
                               Base64UrlEncode(R"({"email":"carol@example.com"})") + ".sig";
  endpoint_.SetAnswer([&](auto&) -> StatusOr<OutboundResponse> {
    return JsonAnswer(200, R"({"access_token":"t","id_token":")" + id_token + "\"}");
  });
  auto from_id_token = oauth_->ExchangeCode(alice_, {"plain", "c", {}, {}, "http://l/cb", {}});
  ASSERT_TRUE(from_id_token.ok()) << from_id_token.status().ToString();
  EXPECT_EQ(from_id_token->user_email, "carol@example.com");
  EXPECT_FALSE(from_id_token->expires_at.has_value());

  endpoint_.SetAnswer([](auto&) -> StatusOr<OutboundResponse> {
    return JsonAnswer(200, R"({"access_token":"t"})");
  });
  const Status nameless =
      oauth_->ExchangeCode(alice_, {"plain", "c", {}, {}, "http://l/cb", {}}).status();
  EXPECT_EQ(nameless.code(), Code::kValidation);
  EXPECT_NE(nameless.message().find("user_email"), std::string::npos);
}

TEST_P(OAuthCredentialsTest, CredentialsBelongToTheirUserAndTenant) {
  Authorize(alice_, "alice@example.com");
  Authorize(bob_, "bob@example.com");
  EXPECT_EQ(oauth_->List(alice_, std::nullopt, true)->size(), 1u);
  EXPECT_EQ(oauth_->List(admin_, std::nullopt, false)->size(), 2u);
  EXPECT_TRUE(oauth_->List(other_admin_, std::nullopt, true)->empty());
  EXPECT_EQ(oauth_->Revoke(bob_, "google", "alice@example.com").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(oauth_->Revoke(other_admin_, "google", "alice@example.com").status().code(),
            Code::kInvalidArgument);
  EXPECT_FALSE(oauth_->Test(bob_, "google", "alice@example.com")->valid);
  EXPECT_TRUE(oauth_->Test(admin_, "google", "alice@example.com")->valid);
  EXPECT_TRUE(oauth_->Revoke(admin_, "google", "alice@example.com").ok());
  EXPECT_TRUE(oauth_->List(alice_, std::nullopt, false)->empty());
}

TEST_P(OAuthCredentialsTest, RefreshesBeforeExpiry) {
  endpoint_.SetAnswer(IssueTokens(60));
  Authorize(alice_, "a@x", "plain");
  auto tested = oauth_->Test(alice_, "plain", "a@x");
  ASSERT_TRUE(tested.ok()) << tested.status().ToString();
  EXPECT_TRUE(tested->valid);
  EXPECT_TRUE(tested->refreshed) << "60 s is within the 5 min margin";
  EXPECT_EQ(endpoint_.LastForm().at("grant_type"), "refresh_token");
  EXPECT_EQ(endpoint_.LastForm().at("refresh_token"), "refresh-1");
  EXPECT_EQ(oauth_->GetValidToken(alice_, "plain", "a@x")->access_token, "access-3")
      << "the refreshed tokens were stored (access-2 came with refresh-2, then refreshed again)";
  EXPECT_EQ(endpoint_.LastForm().at("refresh_token"), "refresh-2");

  endpoint_.SetAnswer([](auto&) -> StatusOr<OutboundResponse> {
    return JsonAnswer(200, R"({"access_token":"short","expires_in":-1})");
  });
  Authorize(alice_, "expired@x", "plain");
  auto expired = oauth_->Test(alice_, "plain", "expired@x");
  ASSERT_TRUE(expired.ok());
  EXPECT_FALSE(expired->valid);
  EXPECT_NE(expired->error.find("expired"), std::string::npos) << expired->error;
}

// Callers that find the same token expired at once share one refresh: a provider that
// rotates refresh tokens may revoke the grant when one is spent twice.
TEST_P(OAuthCredentialsTest, ConcurrentRefreshesOfOneCredentialCallTheProviderOnce) {
  endpoint_.SetAnswer(ExchangeExpiringIn(-1));
  Authorize(alice_, "a@x", "plain");
  endpoint_.Hold();
  constexpr int kCallers = 4;
  std::vector<StatusOr<OAuthAccessToken>> tokens(kCallers, Internal("not run"));
  std::vector<std::thread> callers;
  // The admin finds alice's credential too: one refresh whoever asks.
  const auto call = [&](int i) {
    tokens[i] = oauth_->GetValidToken(i % 2 ? admin_ : alice_, "plain", "a@x");
  };
  callers.emplace_back(call, 0);
  EXPECT_TRUE(endpoint_.WaitForGrants("refresh_token", 1));
  for (int i = 1; i < kCallers; ++i) callers.emplace_back(call, i);
  // Each later caller has read the expired token and now waits for the refresh in flight
  // (or, were refreshes not shared, has gone to the provider itself).
  EXPECT_TRUE(Eventually(
      [&] { return oauth_->RefreshWaiters() + endpoint_.Grants("refresh_token") == kCallers; }));
  endpoint_.Release();
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(endpoint_.Grants("refresh_token"), 1u);
  for (const StatusOr<OAuthAccessToken>& token : tokens) {
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    EXPECT_EQ(token->access_token, "access-1");
    EXPECT_TRUE(token->refreshed);
  }
  EXPECT_EQ(oauth_->RefreshWaiters(), 0);
  const StatusOr<OAuthAccessToken> later = oauth_->GetValidToken(alice_, "plain", "a@x");
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->access_token, "access-1");
  EXPECT_FALSE(later->refreshed) << "the refreshed token was stored";
}

// Two nodes on one database: the one that claimed the refresh calls the provider, the other
// waits for its token (an expired one) or hands out the current one (still good).
TEST_P(OAuthCredentialsTest, NodesSharingTheDatabaseRefreshOnce) {
  std::unique_ptr<OAuthService> other_node = NewService({});
  for (const int expires_in : {-1, 60}) {
    SCOPED_TRACE("token expiring in " + std::to_string(expires_in) + " s");
    endpoint_.SetAnswer(ExchangeExpiringIn(expires_in));
    const std::string email = "n" + std::to_string(expires_in) + "@x";
    Authorize(alice_, email, "plain");
    const size_t grants_before = endpoint_.Grants("refresh_token");
    endpoint_.Hold();
    StatusOr<OAuthAccessToken> here = Internal("not run");
    std::thread refreshing([&] { here = oauth_->GetValidToken(alice_, "plain", email); });
    EXPECT_TRUE(endpoint_.WaitForGrants("refresh_token", grants_before + 1));
    StatusOr<OAuthAccessToken> there = Internal("not run");
    std::atomic<bool> answered{false};
    std::thread asking([&] {
      there = other_node->GetValidToken(alice_, "plain", email);
      answered = true;
    });
    // The good token is answered while the refresh is still held at the provider; the
    // expired one waits for it (or, were claims not shared, went to the provider too).
    EXPECT_TRUE(Eventually([&] {
      return (expires_in > 0 ? answered.load() : other_node->RefreshWaiters() == 1) ||
             endpoint_.Grants("refresh_token") > grants_before + 1;
    }));
    const bool answered_while_held = answered;
    endpoint_.Release();
    refreshing.join();
    asking.join();
    EXPECT_EQ(endpoint_.Grants("refresh_token"), grants_before + 1);
    ASSERT_TRUE(here.ok()) << here.status().ToString();
    EXPECT_TRUE(here->refreshed);
    ASSERT_TRUE(there.ok()) << there.status().ToString();
    if (expires_in > 0) {
      EXPECT_TRUE(answered_while_held);
      EXPECT_EQ(there->access_token, "old");
      EXPECT_FALSE(there->refreshed);
    } else {
      EXPECT_EQ(there->access_token, here->access_token);
      EXPECT_TRUE(there->refreshed);
    }
    EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM oauth_credentials "
                           "WHERE refresh_claimed_until IS NOT NULL"),
              0);
  }
}

// A failed refresh ends its claim at once; the claim of a node that died mid-refresh lapses.
TEST_P(OAuthCredentialsTest, RefreshClaimsEndWithTheRefreshOrLapse) {
  endpoint_.SetAnswer([](std::map<std::string, std::string>& form) -> StatusOr<OutboundResponse> {
    if (form["grant_type"] == "refresh_token") return JsonAnswer(400, R"({"error":"later"})");
    return JsonAnswer(200, R"({"access_token":"old","refresh_token":"r","expires_in":-1})");
  });
  Authorize(alice_, "a@x", "plain");
  EXPECT_EQ(oauth_->GetValidToken(alice_, "plain", "a@x").status().code(), Code::kValidation);
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM oauth_credentials "
                         "WHERE refresh_claimed_until IS NOT NULL"),
            0);

  endpoint_.SetAnswer(IssueTokens(3600));
  const int64_t lapse = NowMicros() + 200'000;
  ASSERT_TRUE(store_.engine
                  ->Write([&](storage::Tx& tx) {
                    return tx
                        .Exec("UPDATE oauth_credentials SET refresh_claimed_until = ?", {lapse})
                        .status();
                  })
                  .ok());
  const StatusOr<OAuthAccessToken> token = oauth_->GetValidToken(alice_, "plain", "a@x");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->access_token, "access-1");
  EXPECT_GE(NowMicros(), lapse) << "waited for the dead node's claim to lapse";
  EXPECT_EQ(endpoint_.Grants("refresh_token"), 2u);
}

// expires_in is the provider's word: it must not overflow the arithmetic on it.
TEST_P(OAuthCredentialsTest, ExpiresInIsBoundedBeforeUse) {
  const auto exchange = [&](const std::string& expires_in) {
    endpoint_.SetAnswer([expires_in](auto&) -> StatusOr<OutboundResponse> {
      return JsonAnswer(200, R"({"access_token":"t","expires_in":)" + expires_in + "}");
    });
    return oauth_->ExchangeCode(alice_, {"plain", "c", "a@x", {}, "http://l/cb", {}});
  };
  constexpr int64_t kTenYears = int64_t{10} * 365 * 24 * 60 * 60 * 1000000;
  const int64_t before = NowMicros();
  auto huge = exchange("1e300");
  ASSERT_TRUE(huge.ok()) << huge.status().ToString();
  ASSERT_TRUE(huge->expires_at.has_value());
  EXPECT_GE(*huge->expires_at, before + kTenYears);
  EXPECT_LE(*huge->expires_at, NowMicros() + kTenYears);

  auto negative = exchange("-5");
  ASSERT_TRUE(negative.ok()) << negative.status().ToString();
  EXPECT_LE(*negative->expires_at, NowMicros()) << "a negative lifetime has already expired";
  auto tested = oauth_->Test(alice_, "plain", "a@x");
  ASSERT_TRUE(tested.ok());
  EXPECT_FALSE(tested->valid);

  for (const char* bad : {R"("abc")", R"("12abc")", R"({})"}) {
    const Status s = exchange(bad).status();
    EXPECT_EQ(s.code(), Code::kValidation) << bad;
    EXPECT_NE(s.message().find("token endpoint answered an expires_in"), std::string::npos)
        << s.message();
  }
  const int64_t string_sent = NowMicros();
  auto from_string = exchange(R"("90")");
  ASSERT_TRUE(from_string.ok()) << from_string.status().ToString();
  EXPECT_GE(*from_string->expires_at, string_sent + 90000000);
  EXPECT_LE(*from_string->expires_at, NowMicros() + 90000000);
}

TEST_P(OAuthCredentialsTest, TamperedRowsAreErrorsNotGarbage) {
  Authorize(alice_, "a@x");
  ASSERT_TRUE(store_.engine
                  ->Write([](storage::Tx& tx) {
                    return tx
                        .Exec("UPDATE oauth_credentials SET user_id = 'bob', user_email = 'b@x'")
                        .status();
                  })
                  .ok());
  const StatusOr<OAuthAccessToken> moved = oauth_->GetValidToken(bob_, "google", "b@x");
  EXPECT_EQ(moved.status().code(), Code::kInternal) << "a sealed token is bound to its row";
}

INSTANTIATE_TEST_SUITE_P(Engines, OAuthCredentialsTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services

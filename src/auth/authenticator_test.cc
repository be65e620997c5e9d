// Request credentials to identities: Bearer parsing, X-Agent-ID ownership and registration,
// open access.
#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <utility>

#include "testing/test_store.h"

namespace nexus::auth {
namespace {

using test::EngineKind;

// The agent registry as the authenticator sees it: a set of (tenant, agent id).
class FakeAgents : public AgentDirectory {
 public:
  StatusOr<bool> IsRegistered(const std::string& tenant_id, const std::string& agent_id) override {
    if (!failure.ok()) return failure;
    return registered.contains({tenant_id, agent_id});
  }

  std::set<std::pair<std::string, std::string>> registered;
  Status failure;  // not OK: every lookup fails with it
};

TEST(BearerTokenTest, OnlyTheExactPrefixCounts) {
  EXPECT_EQ(BearerToken("Bearer sk-abc"), "sk-abc");
  EXPECT_EQ(BearerToken("Bearer "), "");
  EXPECT_EQ(BearerToken("Bearer  sk-abc"), " sk-abc");  // then fails the format check
  EXPECT_FALSE(BearerToken("bearer sk-abc").has_value());
  EXPECT_FALSE(BearerToken("BEARER sk-abc").has_value());
  EXPECT_FALSE(BearerToken("Bearer").has_value());
  EXPECT_FALSE(BearerToken("Bearersk-abc").has_value());
  EXPECT_FALSE(BearerToken("Basic dXNlcjpwYXNz").has_value());
  EXPECT_FALSE(BearerToken("sk-abc").has_value());
  EXPECT_FALSE(BearerToken("").has_value());
}

TEST(AgentOwnerTest, UserCommaName) {
  EXPECT_EQ(AgentOwner("alice,bot1"), "alice");
  EXPECT_EQ(AgentOwner("admin,UntrustedAgent"), "admin");
  EXPECT_EQ(AgentOwner("alice"), "");
  EXPECT_EQ(AgentOwner(",bot"), "");
  EXPECT_EQ(AgentOwner("alice,"), "");
  EXPECT_EQ(AgentOwner("alice,bot,extra"), "");
  EXPECT_EQ(AgentOwner(""), "");
}

// ---------------------------------------------------------------------------------------
// Database mode, on both engines.

class DatabaseAuthTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    keys_ = std::make_unique<KeyStore>(*store_.engine);
    auth_ = std::make_unique<Authenticator>(AuthMode::kDatabase, keys_.get(), &agents_);
    agents_.registered = {{"acme", "alice,bot"}};
    NewKey alice;
    alice.user_id = "alice";
    alice.name = "alice";
    alice.tenant_id = "acme";
    alice_key_ = CreateKey(alice);
    NewKey agent;
    agent.user_id = "alice";
    agent.name = "alice,bot";
    agent.subject_type = "agent";
    agent.subject_id = "alice,bot";
    agent.tenant_id = "acme";
    agent_key_ = CreateKey(agent);
  }

  std::string CreateKey(const NewKey& key) {
    auto created = keys_->CreateKey("", key);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->api_key : "";
  }

  AuthOutcome Run(const Credentials& c) {
    auto outcome = auth_->Authenticate(c);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.ok() ? *outcome : AuthOutcome{};
  }

  static Credentials Bearer(const std::string& token, const std::string& agent = "") {
    Credentials c;
    c.authorization = "Bearer " + token;
    c.agent_id = agent;
    return c;
  }

  void ExpectUnauthenticated(const Credentials& c) {
    const AuthOutcome out = Run(c);
    EXPECT_FALSE(out.authenticated);
    EXPECT_EQ(out.http_status, 401);
    EXPECT_EQ(out.error, "Invalid or missing API key");
    EXPECT_EQ(out.raw.subject_id, "");
  }

  test::TestStore store_;
  std::unique_ptr<KeyStore> keys_;
  FakeAgents agents_;
  std::unique_ptr<Authenticator> auth_;
  std::string alice_key_;
  std::string agent_key_;
};

TEST_P(DatabaseAuthTest, ValidUserKey) {
  const AuthOutcome out = Run(Bearer(alice_key_));
  EXPECT_TRUE(out.authenticated);
  EXPECT_EQ(out.http_status, 200);
  EXPECT_EQ(out.raw.subject_type, "user");
  EXPECT_EQ(out.raw.subject_id, "alice");
  EXPECT_EQ(out.raw.tenant_id, "acme");
  EXPECT_FALSE(out.raw.inherit_permissions);  // as stored; whoami shows false
  EXPECT_EQ(out.caller.subject_type, "user");
  EXPECT_EQ(out.caller.subject_id, "alice");
  EXPECT_EQ(out.caller.user_id, "alice");
  EXPECT_EQ(out.caller.tenant_id, "acme");
  EXPECT_EQ(out.caller.agent_id, "");
  EXPECT_FALSE(out.caller.is_admin);
  EXPECT_FALSE(out.caller.key_id.empty());
}

TEST_P(DatabaseAuthTest, MissingOrMalformedCredentials) {
  ExpectUnauthenticated({});
  Credentials c;
  c.authorization = "bearer " + alice_key_;
  ExpectUnauthenticated(c);
  c.authorization = alice_key_;
  ExpectUnauthenticated(c);
  c.authorization = "Bearer  " + alice_key_;  // two spaces
  ExpectUnauthenticated(c);
  ExpectUnauthenticated(Bearer("sk-short"));
  ExpectUnauthenticated(Bearer("not-a-key-but-long-enough-0123456789"));
  ExpectUnauthenticated(Bearer("sk-" + std::string(10 * 1024, 'a')));
  ExpectUnauthenticated(Bearer(alice_key_ + "\x01"));
  ExpectUnauthenticated(Bearer(alice_key_ + "x"));
  // X-Nexus-* headers carry no weight when keys are required.
  c = {};
  c.nexus_subject = "user:admin";
  c.nexus_tenant = "default";
  ExpectUnauthenticated(c);
}

TEST_P(DatabaseAuthTest, RevokedKeyIsRejectedAtOnce) {
  ASSERT_TRUE(Run(Bearer(alice_key_)).authenticated);
  auto page = keys_->ListKeys("", {});
  ASSERT_TRUE(page.ok());
  for (const KeyRecord& r : page->keys) ASSERT_TRUE(keys_->RevokeKey("", r.key_id).ok());
  ExpectUnauthenticated(Bearer(alice_key_));
}

TEST_P(DatabaseAuthTest, AgentKey) {
  const AuthOutcome out = Run(Bearer(agent_key_));
  EXPECT_TRUE(out.authenticated);
  EXPECT_EQ(out.raw.subject_type, "agent");
  EXPECT_EQ(out.raw.subject_id, "alice,bot");
  EXPECT_EQ(out.caller.subject_type, "agent");
  EXPECT_EQ(out.caller.subject_id, "alice,bot");
  EXPECT_EQ(out.caller.agent_id, "alice,bot");
  EXPECT_EQ(out.caller.user_id, "alice");
  EXPECT_FALSE(out.caller.inherit_permissions);  // the key says no
  // An agent key cannot switch to another agent with X-Agent-ID: the header is ignored.
  const AuthOutcome other = Run(Bearer(agent_key_, "alice,other"));
  EXPECT_EQ(other.http_status, 200);
  EXPECT_EQ(other.caller.subject_id, "alice,bot");
}

TEST_P(DatabaseAuthTest, AgentHeaderForAnOwnedAgent) {
  const AuthOutcome out = Run(Bearer(alice_key_, "alice,bot"));
  EXPECT_TRUE(out.authenticated);
  EXPECT_EQ(out.http_status, 200);
  EXPECT_EQ(out.caller.subject_type, "agent");
  EXPECT_EQ(out.caller.subject_id, "alice,bot");
  EXPECT_EQ(out.caller.agent_id, "alice,bot");
  EXPECT_EQ(out.caller.user_id, "alice");  // the owner
  EXPECT_EQ(out.caller.tenant_id, "acme");
  EXPECT_TRUE(out.caller.inherit_permissions);
  // whoami's view is unchanged by X-Agent-ID.
  EXPECT_EQ(out.raw.subject_type, "user");
  EXPECT_EQ(out.raw.subject_id, "alice");
}

TEST_P(DatabaseAuthTest, AgentHeaderForSomeoneElsesAgent) {
  for (const std::string agent : {"bob,bot", "alice", "alice,bot,x", ",bot", "alicebot"}) {
    const AuthOutcome out = Run(Bearer(alice_key_, agent));
    EXPECT_TRUE(out.authenticated) << agent;
    EXPECT_EQ(out.http_status, 403) << agent;
    EXPECT_EQ(out.error, "Agent " + agent + " is not owned by alice");
  }
}

TEST_P(DatabaseAuthTest, AgentHeaderForAnUnregisteredAgent) {
  // Named like one of alice's agents, but never registered.
  AuthOutcome out = Run(Bearer(alice_key_, "alice,ghost"));
  EXPECT_TRUE(out.authenticated);
  EXPECT_EQ(out.http_status, 403);
  EXPECT_EQ(out.error, "Agent alice,ghost is not registered");
  // Registered in another tenant is not registered in alice's.
  agents_.registered.insert({"other", "alice,ghost"});
  EXPECT_EQ(Run(Bearer(alice_key_, "alice,ghost")).http_status, 403);
  agents_.registered.insert({"acme", "alice,ghost"});
  out = Run(Bearer(alice_key_, "alice,ghost"));
  EXPECT_EQ(out.http_status, 200);
  EXPECT_EQ(out.caller.subject_id, "alice,ghost");
}

TEST_P(DatabaseAuthTest, AgentHeaderForADeletedAgent) {
  ASSERT_EQ(Run(Bearer(alice_key_, "alice,bot")).http_status, 200);
  agents_.registered.erase({"acme", "alice,bot"});
  const AuthOutcome out = Run(Bearer(alice_key_, "alice,bot"));
  EXPECT_EQ(out.http_status, 403);
  EXPECT_EQ(out.error, "Agent alice,bot is not registered");
  EXPECT_EQ(out.caller.subject_type, "user") << "the refused request acts as nobody else";
}

TEST_P(DatabaseAuthTest, AgentRegistryErrorsAreErrors) {
  agents_.failure = Status(Code::kIOError, "disk on fire");
  EXPECT_EQ(auth_->Authenticate(Bearer(alice_key_, "alice,bot")).status().code(), Code::kIOError);
  // Requests without the header never ask.
  EXPECT_EQ(Run(Bearer(alice_key_)).http_status, 200);
}

TEST_P(DatabaseAuthTest, MalformedAgentHeader) {
  for (const std::string& agent : {std::string("alice,b\not"), std::string("alice,\x7f"),
                                   std::string("alice,\xff"), "alice," + std::string(300, 'b')}) {
    const AuthOutcome out = Run(Bearer(alice_key_, agent));
    EXPECT_EQ(out.http_status, 400);
    EXPECT_NE(out.error.find("X-Agent-ID"), std::string::npos);
  }
}

TEST_P(DatabaseAuthTest, AdminKeyAndDefaultTenant) {
  NewKey admin;
  admin.user_id = "admin";
  admin.name = "admin";
  admin.is_admin = true;
  admin.raw_key = "sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
  CreateKey(admin);
  const AuthOutcome out = Run(Bearer(*admin.raw_key));
  EXPECT_TRUE(out.raw.is_admin);
  EXPECT_TRUE(out.caller.is_admin);
  EXPECT_EQ(out.caller.tenant_id, "default");
  EXPECT_EQ(out.caller.user_id, "admin");
}

INSTANTIATE_TEST_SUITE_P(Engines, DatabaseAuthTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

TEST(DatabaseAuthWithoutStoreTest, IsAnInternalError) {
  Authenticator auth(AuthMode::kDatabase, nullptr, nullptr);
  EXPECT_EQ(auth.Authenticate({}).status().code(), Code::kInternal);
}

// ---------------------------------------------------------------------------------------
// Open access: no database involved.

class OpenAuthTest : public ::testing::Test {
 protected:
  AuthOutcome Run(const Credentials& c) {
    auto out = auth_.Authenticate(c);
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : AuthOutcome{};
  }

  Authenticator auth_{AuthMode::kNone, nullptr, nullptr};
};

TEST_F(OpenAuthTest, NoHeadersIsAnonymous) {
  const AuthOutcome out = Run({});
  EXPECT_TRUE(out.authenticated);
  EXPECT_EQ(out.http_status, 200);
  EXPECT_EQ(out.raw.subject_type, "");  // whoami: null
  EXPECT_EQ(out.raw.subject_id, "");
  EXPECT_EQ(out.raw.tenant_id, "");
  EXPECT_FALSE(out.raw.is_admin);
  EXPECT_TRUE(out.raw.inherit_permissions);
  EXPECT_EQ(out.caller.subject_type, "user");
  EXPECT_EQ(out.caller.subject_id, "anonymous");
  EXPECT_EQ(out.caller.user_id, "anonymous");
  EXPECT_EQ(out.caller.tenant_id, "default");
  EXPECT_FALSE(out.caller.is_admin);
}

TEST_F(OpenAuthTest, SubjectAndTenantHeaders) {
  Credentials c;
  c.nexus_subject = "user:alice";
  c.nexus_tenant = "acme";
  AuthOutcome out = Run(c);
  EXPECT_EQ(out.raw.subject_type, "user");
  EXPECT_EQ(out.raw.subject_id, "alice");
  EXPECT_EQ(out.raw.tenant_id, "acme");
  EXPECT_EQ(out.caller.user_id, "alice");
  EXPECT_EQ(out.caller.tenant_id, "acme");
  EXPECT_FALSE(out.caller.is_admin);

  c = {};
  c.nexus_subject = "agent:alice,bot";
  out = Run(c);
  EXPECT_EQ(out.caller.subject_type, "agent");
  EXPECT_EQ(out.caller.agent_id, "alice,bot");
  EXPECT_EQ(out.caller.user_id, "alice");
  EXPECT_TRUE(out.caller.inherit_permissions);

  c.nexus_subject = "user:a:b";  // the id may hold colons
  EXPECT_EQ(Run(c).caller.subject_id, "a:b");
}

TEST_F(OpenAuthTest, TokenGivesUserAndTenant) {
  Credentials c;
  c.authorization = "Bearer sk-acme_bob_1234abcd_0123456789abcdef0123456789abcdef";
  AuthOutcome out = Run(c);
  EXPECT_EQ(out.raw.subject_type, "user");
  EXPECT_EQ(out.raw.subject_id, "bob");
  EXPECT_EQ(out.raw.tenant_id, "acme");
  EXPECT_EQ(out.caller.user_id, "bob");
  EXPECT_FALSE(out.caller.is_admin);

  c.nexus_tenant = "other";  // the header wins over the token
  EXPECT_EQ(Run(c).caller.tenant_id, "other");
  c.nexus_subject = "user:carol";  // and so does the subject header
  EXPECT_EQ(Run(c).caller.subject_id, "carol");

  c = {};
  c.authorization = "Bearer sk-nounderscore";  // nothing to parse: anonymous
  EXPECT_EQ(Run(c).caller.subject_id, "anonymous");
  c.authorization = "sk-acme_bob_1234abcd";  // not a Bearer credential
  EXPECT_EQ(Run(c).caller.subject_id, "anonymous");
  c.authorization = "Bearer sk-acme_b\x01ob_1234";  // junk is ignored, not parsed
  EXPECT_EQ(Run(c).caller.subject_id, "anonymous");
}

TEST_F(OpenAuthTest, AgentHeaderIsTrusted) {
  Credentials c;
  c.nexus_subject = "user:alice";
  c.agent_id = "bob,bot";  // no ownership check without authentication
  const AuthOutcome out = Run(c);
  EXPECT_EQ(out.http_status, 200);
  EXPECT_EQ(out.caller.subject_type, "agent");
  EXPECT_EQ(out.caller.subject_id, "bob,bot");
  EXPECT_EQ(out.caller.user_id, "alice");
  EXPECT_EQ(out.raw.subject_id, "alice");
}

TEST_F(OpenAuthTest, MalformedHeadersAreRefused) {
  for (const std::string& subject :
       {std::string("alice"), std::string(":alice"), std::string("user:"),
        std::string("us er:alice"), std::string("user:al\nice"), "user:" + std::string(300, 'a'),
        std::string("user:\xff")}) {
    Credentials c;
    c.nexus_subject = subject;
    const AuthOutcome out = Run(c);
    EXPECT_EQ(out.http_status, 400) << subject;
    EXPECT_NE(out.error.find("X-Nexus-Subject"), std::string::npos);
  }
  Credentials c;
  c.nexus_tenant = "ac\rme";
  EXPECT_EQ(Run(c).http_status, 400);
  c = {};
  c.agent_id = std::string(1, '\0');
  EXPECT_EQ(Run(c).http_status, 400);
}

}  // namespace
}  // namespace nexus::auth

// The key store on both engines: creation, lookup, caching, last-used batching, the admin
// operations and tenant scoping.
#include "auth/key_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "auth/api_key.h"
#include "testing/test_store.h"
#include "util/clock.h"
#include "util/ids.h"

namespace nexus::auth {
namespace {

using storage::Rows;
using storage::Tx;
using test::EngineKind;

constexpr int64_t kDay = int64_t{86400} * 1000 * 1000;
constexpr char kDemoKey[] = "sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

class KeyStoreTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    keys_ = NewKeyStore();
  }

  storage::Engine& engine() { return *store_.engine; }

  // A store on the shared database with a controllable clock, as another node would be.
  std::unique_ptr<KeyStore> NewKeyStore(std::chrono::milliseconds ttl = std::chrono::seconds(1)) {
    KeyStoreOptions options;
    options.cache_ttl = ttl;
    options.now = [this] { return now_.load(); };
    return std::make_unique<KeyStore>(engine(), options);
  }

  CreatedKey Create(NewKey key, std::string_view caller_tenant = "") {
    auto created = keys_->CreateKey(caller_tenant, key);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    now_ += 1000;  // distinct creation times, so the listing order is defined
    return created.ok() ? *std::move(created) : CreatedKey{};
  }

  CreatedKey CreateUser(const std::string& user, const std::string& tenant = "default",
                        bool admin = false) {
    NewKey key;
    key.user_id = user;
    key.name = user + " key";
    key.tenant_id = tenant;
    key.is_admin = admin;
    return Create(key);
  }

  std::optional<Identity> Auth(std::string_view token, KeyStore* keys = nullptr) {
    auto id = (keys ? keys : keys_.get())->Authenticate(token);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : std::nullopt;
  }

  // The stored last_used_at of a key, read behind the store's back.
  std::optional<int64_t> StoredLastUsed(const std::string& key_id) {
    std::optional<int64_t> result;
    EXPECT_TRUE(engine()
                    .Read([&](Tx& tx) -> Status {
                      ASSIGN_OR_RETURN(
                          Rows rows,
                          tx.Query("SELECT last_used_at FROM api_keys WHERE key_id = ?", {key_id}));
                      if (!rows.at(0).IsNull(0)) result = rows.at(0).Int(0);
                      return Status::OK();
                    })
                    .ok());
    return result;
  }

  void ExecSql(const std::string& sql, const storage::Params& params) {
    ASSERT_TRUE(engine().Write([&](Tx& tx) { return tx.Exec(sql, params).status(); }).ok());
  }

  std::atomic<int64_t> now_{NowMicros()};
  test::TestStore store_;
  std::unique_ptr<KeyStore> keys_;
};

TEST_P(KeyStoreTest, CreatedKeyAuthenticates) {
  NewKey key;
  key.user_id = "alice";
  key.name = "laptop";
  key.tenant_id = "acme";
  const CreatedKey created = Create(key);
  EXPECT_TRUE(IsWellFormedApiKey(created.api_key));
  EXPECT_EQ(created.api_key.substr(0, 14), "sk-acme_alice_");
  EXPECT_TRUE(IsUuid4(created.record.key_id));
  EXPECT_EQ(created.record.subject_type, "user");
  EXPECT_EQ(created.record.subject_id, "alice");
  EXPECT_FALSE(created.record.expires_at.has_value());
  EXPECT_FALSE(created.record.revoked);

  const auto id = Auth(created.api_key);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->subject_type, "user");
  EXPECT_EQ(id->subject_id, "alice");
  EXPECT_EQ(id->user_id, "alice");
  EXPECT_EQ(id->tenant_id, "acme");
  EXPECT_EQ(id->agent_id, "");
  EXPECT_FALSE(id->is_admin);
  EXPECT_FALSE(id->inherit_permissions);
  EXPECT_EQ(id->key_id, created.record.key_id);
  EXPECT_EQ(id->key_name, "laptop");

  auto stored = keys_->GetKey("", created.record.key_id);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->name, "laptop");
  EXPECT_EQ(stored->created_at, created.record.created_at);
}

TEST_P(KeyStoreTest, AgentKeyIdentity) {
  NewKey key;
  key.user_id = "admin";
  key.name = "admin,UntrustedAgent";
  key.subject_type = "agent";
  key.subject_id = "admin,UntrustedAgent";
  key.expires_days = 365;
  key.inherit_permissions = true;
  const CreatedKey created = Create(key);
  EXPECT_EQ(created.api_key.substr(0, 24), "sk-default_admin,Untrus_");
  ASSERT_TRUE(created.record.expires_at.has_value());
  EXPECT_EQ(*created.record.expires_at, created.record.created_at + 365 * kDay);
  const auto id = Auth(created.api_key);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->subject_type, "agent");
  EXPECT_EQ(id->subject_id, "admin,UntrustedAgent");
  EXPECT_EQ(id->agent_id, "admin,UntrustedAgent");
  EXPECT_EQ(id->user_id, "admin");
  EXPECT_TRUE(id->inherit_permissions);
  EXPECT_EQ(id->expires_at, created.record.expires_at);
}

TEST_P(KeyStoreTest, RegistersAGivenKeyUnderTheReferenceHash) {
  NewKey key;
  key.user_id = "admin";
  key.name = "admin";
  key.is_admin = true;
  key.raw_key = kDemoKey;
  const CreatedKey created = Create(key);
  EXPECT_EQ(created.api_key, kDemoKey);
  std::string stored_hash;
  ASSERT_TRUE(engine()
                  .Read([&](Tx& tx) -> Status {
                    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT key_hash FROM api_keys"));
                    stored_hash = rows.at(0).Text(0);
                    return Status::OK();
                  })
                  .ok());
  EXPECT_EQ(stored_hash, "dd0f3e9f17d65a9ad48023146685c3db7c605609ac6f8cfa6dbe8ee870a8e378");
  const auto id = Auth(kDemoKey);
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(id->is_admin);

  // The same token twice is refused.
  key.name = "again";
  EXPECT_EQ(keys_->CreateKey("", key).status().code(), Code::kAlreadyExists);
}

TEST_P(KeyStoreTest, CreateValidatesItsInput) {
  auto code = [&](const NewKey& key) { return keys_->CreateKey("", key).status().code(); };
  NewKey good;
  good.user_id = "alice";
  good.name = "k";
  EXPECT_EQ(code(good), Code::kOk);

  NewKey k = good;
  k.user_id = "";
  EXPECT_EQ(code(k), Code::kInvalidArgument);
  k = good;
  k.name = "";
  EXPECT_EQ(code(k), Code::kInvalidArgument);
  k = good;
  k.subject_type = "robot";
  EXPECT_EQ(code(k), Code::kInvalidArgument);
  k = good;
  k.expires_days = 0;
  EXPECT_EQ(code(k), Code::kInvalidArgument);
  k.expires_days = -5;
  EXPECT_EQ(code(k), Code::kInvalidArgument);
  k.expires_days = int64_t{1} << 60;  // would overflow the timestamp
  EXPECT_EQ(code(k), Code::kInvalidArgument);
  k = good;
  k.user_id = "al\nice";
  EXPECT_EQ(code(k), Code::kInvalidArgument);
  k = good;
  k.tenant_id = std::string(300, 't');
  EXPECT_EQ(code(k), Code::kInvalidArgument);
  k = good;
  k.name = "bad \xff utf-8";
  EXPECT_EQ(code(k), Code::kInvalidArgument);
  k = good;
  k.raw_key = "sk-short";
  EXPECT_EQ(code(k), Code::kInvalidArgument);
  k.raw_key = "no-prefix-but-long-enough-0123456789";
  EXPECT_EQ(code(k), Code::kInvalidArgument);

  // Empty subject type and tenant take their defaults.
  k = good;
  k.subject_type = "";
  k.tenant_id = "";
  auto created = keys_->CreateKey("", k);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->record.subject_type, "user");
  EXPECT_EQ(created->record.tenant_id, "default");
}

TEST_P(KeyStoreTest, MalformedTokensNeverReachTheDatabase) {
  CreateUser("alice");
  const int64_t reads = engine().Stats().read_units;
  for (const std::string& token :
       {std::string(), std::string("sk-short"), "pk-" + std::string(40, 'x'),
        "sk-" + std::string(10 * 1024, 'x'), "sk-" + std::string(40, 'x') + "\r\nX-Evil: 1",
        "sk-" + std::string(40, 'x') + std::string(1, '\0')}) {
    EXPECT_FALSE(Auth(token).has_value());
  }
  EXPECT_EQ(engine().Stats().read_units, reads);
}

TEST_P(KeyStoreTest, UnknownTokenIsInvalidUntilRegistered) {
  const std::string token = "sk-default_bob_00000000_" + std::string(32, '1');
  EXPECT_FALSE(Auth(token).has_value());  // and now cached as invalid
  NewKey key;
  key.user_id = "bob";
  key.name = "bob";
  key.raw_key = token;
  Create(key);
  EXPECT_TRUE(Auth(token).has_value());  // creation dropped the cached miss
}

TEST_P(KeyStoreTest, ExpiredKeyIsRejected) {
  NewKey key;
  key.user_id = "alice";
  key.name = "short-lived";
  key.expires_days = 1;
  const CreatedKey created = Create(key);
  ASSERT_TRUE(Auth(created.api_key).has_value());
  now_ = *created.record.expires_at;  // the last valid instant
  EXPECT_TRUE(Auth(created.api_key).has_value());
  now_ = *created.record.expires_at + 1;
  EXPECT_FALSE(Auth(created.api_key).has_value());  // even from the cache
  EXPECT_FALSE(Auth(created.api_key, NewKeyStore().get()).has_value());
}

TEST_P(KeyStoreTest, RevocationIsImmediateOnThisNode) {
  CreateUser("admin", "default", /*admin=*/true);  // so the next one is not the last admin
  const CreatedKey created = CreateUser("alice");
  ASSERT_TRUE(Auth(created.api_key).has_value());  // cached now
  ASSERT_TRUE(keys_->RevokeKey("", created.record.key_id).ok());
  EXPECT_FALSE(Auth(created.api_key).has_value());
  auto record = keys_->GetKey("", created.record.key_id);
  ASSERT_TRUE(record.ok());
  EXPECT_TRUE(record->revoked);
  EXPECT_EQ(record->revoked_at, now_.load());
  // Revoking again is harmless and keeps the first time.
  now_ += 5;
  EXPECT_TRUE(keys_->RevokeKey("", created.record.key_id).ok());
  EXPECT_EQ(keys_->GetKey("", created.record.key_id)->revoked_at, now_.load() - 5);
}

TEST_P(KeyStoreTest, RevocationByAnotherNodeTakesEffectWithinTheCacheLifetime) {
  const CreatedKey created = CreateUser("alice");
  auto other_node = NewKeyStore(std::chrono::milliseconds(200));
  ASSERT_TRUE(Auth(created.api_key, other_node.get()).has_value());
  ASSERT_TRUE(keys_->RevokeKey("", created.record.key_id).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_FALSE(Auth(created.api_key, other_node.get()).has_value());
}

TEST_P(KeyStoreTest, AuthenticateNeverWrites) {
  const CreatedKey alice = CreateUser("alice");
  const std::string unknown = "sk-default_bob_00000000_" + std::string(32, '1');
  auto uncached = NewKeyStore(std::chrono::milliseconds(0));  // every lookup reads
  const int64_t commits = engine().Stats().commits;
  const int64_t writes = engine().Stats().write_units;
  const int64_t reads = engine().Stats().read_units;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(Auth(alice.api_key).has_value());
    ASSERT_FALSE(Auth(unknown).has_value());
  }
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(Auth(alice.api_key, uncached.get()).has_value());
  EXPECT_EQ(engine().Stats().commits, commits);
  EXPECT_EQ(engine().Stats().write_units, writes);
  // The cache answered the 2000 repeated lookups: one read each for alice and the unknown
  // token (more only if a lookup took longer than the cache lifetime), 50 uncached.
  EXPECT_LT(engine().Stats().read_units - reads, 50 + 20);
  EXPECT_GE(engine().Stats().read_units - reads, 50 + 2);
}

TEST_P(KeyStoreTest, AFloodOfBadTokensDoesNotPushOutValidKeys) {
  const CreatedKey alice = CreateUser("alice");
  KeyStoreOptions options;
  options.max_cached_lookups = 100;
  options.cache_ttl = std::chrono::minutes(1);  // however slow the flood, alice stays fresh
  KeyStore keys(engine(), options);
  ASSERT_TRUE(Auth(alice.api_key, &keys).has_value());
  for (int i = 0; i < 1000; ++i) {
    const std::string hex = std::to_string(100000000 + i);
    ASSERT_FALSE(Auth("sk-default_mallory_" + hex + "_" + std::string(32, 'f'), &keys));
  }
  const int64_t reads = engine().Stats().read_units;
  ASSERT_TRUE(Auth(alice.api_key, &keys).has_value());
  EXPECT_EQ(engine().Stats().read_units, reads);  // still cached
}

TEST_P(KeyStoreTest, LastUsedIsBatched) {
  const CreatedKey alice = CreateUser("alice");
  const CreatedKey bob = CreateUser("bob");
  const int64_t used_at = now_;
  ASSERT_TRUE(Auth(alice.api_key).has_value());
  now_ += 10;
  ASSERT_TRUE(Auth(alice.api_key).has_value());
  ASSERT_TRUE(Auth(bob.api_key).has_value());

  // Pending times show through the admin view before they are written.
  EXPECT_FALSE(StoredLastUsed(alice.record.key_id).has_value());
  EXPECT_EQ(keys_->GetKey("", alice.record.key_id)->last_used_at, used_at + 10);

  const int64_t commits = engine().Stats().commits;
  ASSERT_TRUE(keys_->FlushLastUsed().ok());
  EXPECT_EQ(engine().Stats().commits, commits + 1);  // both keys in one write
  EXPECT_EQ(StoredLastUsed(alice.record.key_id), used_at + 10);
  EXPECT_EQ(StoredLastUsed(bob.record.key_id), used_at + 10);
  ASSERT_TRUE(keys_->FlushLastUsed().ok());  // nothing pending: no write
  EXPECT_EQ(engine().Stats().commits, commits + 1);

  // An older time (another node's late flush) never moves the stored one back.
  auto other_node = NewKeyStore();
  now_ = used_at - 1000;
  ASSERT_TRUE(Auth(alice.api_key, other_node.get()).has_value());
  ASSERT_TRUE(other_node->FlushLastUsed().ok());
  EXPECT_EQ(StoredLastUsed(alice.record.key_id), used_at + 10);
}

TEST_P(KeyStoreTest, BackgroundFlushAndFlushAtShutdown) {
  const CreatedKey alice = CreateUser("alice");
  const CreatedKey bob = CreateUser("bob");
  keys_->StartBackgroundFlush(std::chrono::milliseconds(10));
  keys_->StartBackgroundFlush(std::chrono::milliseconds(10));  // already running: no-op
  ASSERT_TRUE(Auth(alice.api_key).has_value());
  for (int i = 0; i < 500 && !StoredLastUsed(alice.record.key_id); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(StoredLastUsed(alice.record.key_id).has_value());

  // A long period: only the flush at shutdown can write bob's use.
  auto other_node = NewKeyStore();
  other_node->StartBackgroundFlush(std::chrono::hours(1));
  ASSERT_TRUE(Auth(bob.api_key, other_node.get()).has_value());
  other_node.reset();
  EXPECT_TRUE(StoredLastUsed(bob.record.key_id).has_value());

  // Without a flusher, destruction flushes too.
  keys_->StopBackgroundFlush();
  auto plain = NewKeyStore();
  now_ += 777;
  ASSERT_TRUE(Auth(bob.api_key, plain.get()).has_value());
  plain.reset();
  EXPECT_EQ(StoredLastUsed(bob.record.key_id), now_.load());
}

TEST_P(KeyStoreTest, ListFiltersAndPages) {
  const CreatedKey a1 = CreateUser("alice");
  const CreatedKey a2 = CreateUser("alice", "default", /*admin=*/true);
  const CreatedKey b1 = CreateUser("bob", "acme");
  const CreatedKey c1 = CreateUser("carol");
  NewKey expiring;
  expiring.user_id = "dave";
  expiring.name = "dave";
  expiring.expires_days = 1;
  const CreatedKey d1 = Create(expiring);
  ASSERT_TRUE(keys_->RevokeKey("", c1.record.key_id).ok());
  now_ += 2 * kDay;  // dave's key has expired

  auto list = [&](const KeyFilter& f) {
    auto page = keys_->ListKeys("", f);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> ids;
    for (const KeyRecord& r : page->keys) ids.push_back(r.key_id);
    return std::make_pair(ids, page->total);
  };
  using Ids = std::vector<std::string>;
  // Default: not revoked, not expired, newest first.
  EXPECT_EQ(list({}).first, (Ids{b1.record.key_id, a2.record.key_id, a1.record.key_id}));
  KeyFilter f;
  f.include_revoked = true;
  f.include_expired = true;
  EXPECT_EQ(list(f).first, (Ids{d1.record.key_id, c1.record.key_id, b1.record.key_id,
                                a2.record.key_id, a1.record.key_id}));
  f = {};
  f.include_revoked = true;
  EXPECT_EQ(list(f).second, 4);
  f = {};
  f.include_expired = true;
  EXPECT_EQ(list(f).second, 4);
  f = {};
  f.user_id = "alice";
  EXPECT_EQ(list(f).first, (Ids{a2.record.key_id, a1.record.key_id}));
  f.is_admin = false;
  EXPECT_EQ(list(f).first, (Ids{a1.record.key_id}));
  f = {};
  f.tenant_id = "acme";
  EXPECT_EQ(list(f).first, (Ids{b1.record.key_id}));
  f = {};
  f.is_admin = true;
  EXPECT_EQ(list(f).first, (Ids{a2.record.key_id}));

  // Pages: total counts everything matching, before limit and offset.
  f = {};
  f.include_revoked = f.include_expired = true;
  f.limit = 2;
  EXPECT_EQ(list(f), std::make_pair(Ids{d1.record.key_id, c1.record.key_id}, int64_t{5}));
  f.offset = 2;
  EXPECT_EQ(list(f), std::make_pair(Ids{b1.record.key_id, a2.record.key_id}, int64_t{5}));
  f.offset = 4;
  EXPECT_EQ(list(f), std::make_pair(Ids{a1.record.key_id}, int64_t{5}));
  f.offset = 10;
  EXPECT_EQ(list(f), std::make_pair(Ids{}, int64_t{5}));

  // Bounds.
  for (int64_t limit : {int64_t{0}, int64_t{-1}, int64_t{1001}}) {
    f = {};
    f.limit = limit;
    EXPECT_EQ(keys_->ListKeys("", f).status().code(), Code::kInvalidArgument) << limit;
  }
  f = {};
  f.limit = 1000;
  EXPECT_TRUE(keys_->ListKeys("", f).ok());
  f.offset = -1;
  EXPECT_EQ(keys_->ListKeys("", f).status().code(), Code::kInvalidArgument);
}

TEST_P(KeyStoreTest, GetUnknownKey) {
  auto r = keys_->GetKey("", "no-such-key");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "API key not found: no-such-key");
  EXPECT_EQ(keys_->GetKey("", "bad\xff\n").status().code(), Code::kNotFound);
  EXPECT_EQ(keys_->GetKey("", std::string(10000, 'k')).status().code(), Code::kNotFound);
  EXPECT_EQ(keys_->RevokeKey("", "no-such-key").code(), Code::kNotFound);
  EXPECT_EQ(keys_->UpdateKey("", "no-such-key", {}).status().code(), Code::kNotFound);
}

TEST_P(KeyStoreTest, TheLastAdminKeyIsProtected) {
  const CreatedKey admin1 = CreateUser("admin", "default", true);
  auto revoke = [&](const CreatedKey& k) { return keys_->RevokeKey("", k.record.key_id); };
  auto demote = [&](const CreatedKey& k) {
    KeyUpdate u;
    u.is_admin = false;
    return keys_->UpdateKey("", k.record.key_id, u).status();
  };
  Status s = revoke(admin1);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "Cannot revoke the last admin key");
  EXPECT_EQ(demote(admin1).code(), Code::kInvalidArgument);
  EXPECT_EQ(*keys_->HasActiveAdminKey("default"), true);

  // Admins of another tenant do not count.
  const CreatedKey acme_admin = CreateUser("root", "acme", true);
  EXPECT_EQ(revoke(admin1).code(), Code::kInvalidArgument);
  EXPECT_EQ(revoke(acme_admin).code(), Code::kInvalidArgument);

  // With a second admin either may go, but not both.
  const CreatedKey admin2 = CreateUser("admin2", "default", true);
  EXPECT_TRUE(demote(admin1).ok());
  EXPECT_EQ(revoke(admin2).code(), Code::kInvalidArgument);
  KeyUpdate promote;
  promote.is_admin = true;
  ASSERT_TRUE(keys_->UpdateKey("", admin1.record.key_id, promote).ok());
  EXPECT_TRUE(revoke(admin2).ok());
  EXPECT_EQ(revoke(admin1).code(), Code::kInvalidArgument);

  // An expired admin key is no admin: it neither counts nor is protected.
  NewKey expiring;
  expiring.user_id = "temp";
  expiring.name = "temp";
  expiring.is_admin = true;
  expiring.expires_days = 1;
  const CreatedKey temp = Create(expiring);
  EXPECT_TRUE(revoke(admin1).ok());  // temp is still active now
  now_ += 2 * kDay;
  EXPECT_EQ(*keys_->HasActiveAdminKey("default"), false);
  EXPECT_EQ(*keys_->HasActiveAdminKey(""), true);  // acme's
  EXPECT_TRUE(revoke(temp).ok());
  EXPECT_EQ(*keys_->HasActiveAdminKey("nowhere"), false);
}

TEST_P(KeyStoreTest, UpdateChangesTakeEffectAtOnce) {
  CreateUser("admin", "default", true);
  const CreatedKey alice = CreateUser("alice");
  ASSERT_TRUE(Auth(alice.api_key).has_value());  // cached as a plain user
  KeyUpdate u;
  u.is_admin = true;
  u.name = "renamed";
  u.expires_days = 3;
  auto updated = keys_->UpdateKey("", alice.record.key_id, u);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_TRUE(updated->is_admin);
  EXPECT_EQ(updated->name, "renamed");
  EXPECT_EQ(updated->expires_at, now_.load() + 3 * kDay);
  const auto id = Auth(alice.api_key);
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(id->is_admin);
  EXPECT_EQ(id->key_name, "renamed");

  // Nothing to change: the key as it is.
  auto same = keys_->UpdateKey("", alice.record.key_id, {});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->name, "renamed");

  u = {};
  u.expires_days = 0;
  EXPECT_EQ(keys_->UpdateKey("", alice.record.key_id, u).status().code(), Code::kInvalidArgument);
  u = {};
  u.name = "";
  EXPECT_EQ(keys_->UpdateKey("", alice.record.key_id, u).status().code(), Code::kInvalidArgument);
}

TEST_P(KeyStoreTest, TenantsSeeOnlyTheirOwnKeys) {
  const CreatedKey home = CreateUser("alice", "default");
  const CreatedKey acme = CreateUser("bob", "acme");
  CreateUser("root", "acme", true);

  auto page = keys_->ListKeys("acme", {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);
  for (const KeyRecord& r : page->keys) EXPECT_EQ(r.tenant_id, "acme");
  KeyFilter f;
  f.tenant_id = "default";  // a filter cannot widen the scope
  EXPECT_EQ(keys_->ListKeys("acme", f)->total, 0);
  EXPECT_EQ(keys_->ListKeys("", {})->total, 3);  // the system sees everything

  EXPECT_TRUE(keys_->GetKey("acme", acme.record.key_id).ok());
  EXPECT_EQ(keys_->GetKey("acme", home.record.key_id).status().code(), Code::kNotFound);
  EXPECT_EQ(keys_->RevokeKey("acme", home.record.key_id).code(), Code::kNotFound);
  KeyUpdate u;
  u.name = "stolen";
  EXPECT_EQ(keys_->UpdateKey("acme", home.record.key_id, u).status().code(), Code::kNotFound);
  EXPECT_TRUE(Auth(home.api_key).has_value());  // untouched

  NewKey key;
  key.user_id = "mallory";
  key.name = "m";
  key.tenant_id = "default";
  EXPECT_EQ(keys_->CreateKey("acme", key).status().code(), Code::kPermissionDenied);
  key.tenant_id = "acme";
  EXPECT_TRUE(keys_->CreateKey("acme", key).ok());
  EXPECT_TRUE(keys_->RevokeKey("acme", acme.record.key_id).ok());
}

TEST_P(KeyStoreTest, RowsWithoutTenantBelongToDefault) {
  // A row as the reference may have left it: no tenant, no subject.
  const std::string token = "sk-legacy_user_00000000_" + std::string(32, '2');
  ExecSql(
      "INSERT INTO api_keys (key_id, key_hash, user_id, name, created_at) VALUES (?, ?, ?, ?, ?)",
      {std::string("legacy-1"), HashApiKey(token), std::string("olduser"), std::string("old"),
       now_.load()});
  const auto id = Auth(token);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->tenant_id, "");
  EXPECT_EQ(id->subject_type, "user");
  EXPECT_EQ(id->subject_id, "olduser");
  EXPECT_TRUE(keys_->GetKey("default", "legacy-1").ok());
  EXPECT_EQ(keys_->GetKey("acme", "legacy-1").status().code(), Code::kNotFound);
  EXPECT_EQ(keys_->ListKeys("default", {})->total, 1);
}

TEST_P(KeyStoreTest, ConcurrentAuthenticationAndRevocation) {
  CreateUser("admin", "default", true);
  std::vector<CreatedKey> created;
  for (int i = 0; i < 8; ++i) created.push_back(CreateUser("user" + std::to_string(i)));
  keys_->StartBackgroundFlush(std::chrono::milliseconds(5));
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (!keys_->Authenticate(created[(t + i) % created.size()].api_key).ok()) failed = true;
      }
    });
  }
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(keys_->RevokeKey("", created[i].record.key_id).ok());
  for (auto& th : threads) th.join();
  EXPECT_FALSE(failed);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(Auth(created[i].api_key).has_value(), i >= 4) << i;
}

INSTANTIATE_TEST_SUITE_P(Engines, KeyStoreTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::auth

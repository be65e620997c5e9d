#include "services/memory/memories.h"

#include <gtest/gtest.h>

#include "services/test_identities.h"
#include "testing/test_store.h"

namespace nexus::services {
namespace {

using test_ids::Admin;
using test_ids::User;

NewMemory Text(const std::string& content, const std::string& scope = "user") {
  NewMemory m;
  m.content = content;
  m.scope = scope;
  return m;
}

class MemoriesTest : public ::testing::TestWithParam<test::EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    memories_ = std::make_unique<MemoryStore>(*store_.engine);
  }

  std::string Store(const auth::Identity& who, const NewMemory& m) {
    StatusOr<std::string> id = memories_->Store(who, m);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }

  std::vector<std::string> Contents(const auth::Identity& who, const MemoryFilter& f = {}) {
    StatusOr<std::vector<Memory>> found = memories_->Query(who, f);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    std::vector<std::string> out;
    if (found.ok()) {
      for (const Memory& m : *found) out.push_back(m.content);
    }
    return out;
  }

  test::TestStore store_;
  std::unique_ptr<MemoryStore> memories_;
  const auth::Identity alice_ = User("alice");
  const auth::Identity alice_bot_ = User("alice", "default", "alice,bot");
  const auth::Identity alice_heir_ = [] {
    auth::Identity id = User("alice", "default", "alice,heir");
    id.inherit_permissions = true;
    return id;
  }();
  const auth::Identity bob_ = User("bob");
  const auth::Identity eve_ = User("alice", "other");
};

TEST_P(MemoriesTest, StoreGetAndRecordFields) {
  NewMemory m = Text("likes tea");
  m.memory_type = "preference";
  m.importance = 0.8;
  m.tags_json = R"(["drinks"])";
  const std::string id = Store(alice_bot_, m);
  auto got = memories_->Get(alice_, id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const Memory& r = **got;
  EXPECT_EQ(r.content, "likes tea");
  EXPECT_EQ(r.content_hash.size(), 64u);
  EXPECT_EQ(r.user_id, "alice");
  EXPECT_EQ(r.agent_id, "alice,bot");
  EXPECT_EQ(r.memory_type, "preference");
  EXPECT_DOUBLE_EQ(r.importance, 0.8);
  EXPECT_EQ(r.state, "active");
  EXPECT_EQ(r.visibility, "private");
  EXPECT_EQ(r.tags_json, R"(["drinks"])");
  EXPECT_FALSE(r.name_space.has_value());
}

TEST_P(MemoriesTest, PathKeyUpserts) {
  NewMemory m = Text("dark");
  m.name_space = "user/prefs";
  m.path_key = "theme";
  const std::string first = Store(alice_, m);
  m.content = "light";
  EXPECT_EQ(Store(alice_, m), first) << "same key, same record";
  auto got = memories_->GetByKey(alice_, "user/prefs", "theme");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->content, "light");
  EXPECT_EQ(Contents(alice_).size(), 1u);
  m.content = "bob's";
  EXPECT_EQ(memories_->Store(bob_, m).status().code(), Code::kPermissionDenied);
  m.content = "eve's";
  EXPECT_NE(Store(eve_, m), first) << "keys are per tenant";
}

TEST_P(MemoriesTest, QueryFilters) {
  NewMemory fact = Text("The sky is BLUE");
  NewMemory pref = Text("prefers 100% cotton", "agent");
  pref.memory_type = "preference";
  pref.name_space = "shop/clothes";
  Store(alice_, fact);
  const std::string pref_id = Store(alice_, pref);
  MemoryFilter f;
  f.text = "blue";
  EXPECT_EQ(Contents(alice_, f), std::vector<std::string>{"The sky is BLUE"});
  f.text = "100%";
  EXPECT_EQ(Contents(alice_, f).size(), 1u);
  f.text = "_";
  EXPECT_TRUE(Contents(alice_, f).empty()) << "LIKE wildcards are literal";
  f = {};
  f.memory_type = "preference";
  EXPECT_EQ(Contents(alice_, f).size(), 1u);
  f = {};
  f.scope = "agent";
  EXPECT_EQ(Contents(alice_, f).size(), 1u);
  f = {};
  f.namespace_prefix = "shop/";
  EXPECT_EQ(Contents(alice_, f).size(), 1u);
  ASSERT_TRUE(*memories_->SetState(alice_, pref_id, "inactive"));
  EXPECT_EQ(Contents(alice_).size(), 1u) << "the default lists active records";
  f = {};
  f.state = "inactive";
  EXPECT_EQ(Contents(alice_, f), std::vector<std::string>{"prefers 100% cotton"});
  f.state = "all";
  f.limit = 1;
  EXPECT_EQ(Contents(alice_, f).size(), 1u);
  f.limit = 0;
  EXPECT_EQ(memories_->Query(alice_, f).status().code(), Code::kInvalidArgument);
}

TEST_P(MemoriesTest, OwnershipAndTenancy) {
  const std::string secret = Store(alice_, Text("private"));
  const std::string shared = Store(alice_, Text("team note", "tenant"));
  EXPECT_EQ(Contents(bob_), std::vector<std::string>{"team note"});
  EXPECT_TRUE(Contents(eve_).empty()) << "another tenant sees nothing";
  EXPECT_EQ(Contents(Admin()).size(), 2u);
  EXPECT_TRUE(Contents(Admin("other")).empty());
  EXPECT_FALSE(memories_->Get(bob_, secret)->has_value());
  EXPECT_TRUE(memories_->Get(bob_, shared)->has_value());
  EXPECT_EQ(Contents(alice_heir_).size(), 2u) << "an agent inheriting its user's permissions";
  EXPECT_EQ(Contents(alice_bot_), std::vector<std::string>{"team note"})
      << "an agent acting for itself sees none of its user's private records";
  EXPECT_FALSE(memories_->Get(alice_bot_, secret)->has_value());
  EXPECT_FALSE(*memories_->Delete(alice_bot_, secret));
  EXPECT_EQ(memories_->Delete(alice_bot_, shared).status().code(), Code::kPermissionDenied);
  const std::string bots = Store(alice_bot_, Text("the bot's own"));
  EXPECT_EQ(Contents(alice_bot_), (std::vector<std::string>{"the bot's own", "team note"}));
  EXPECT_EQ(Contents(alice_).size(), 3u) << "the user sees what its agents stored";
  EXPECT_TRUE(*memories_->Delete(alice_bot_, bots));

  EXPECT_FALSE(*memories_->Delete(bob_, secret)) << "invisible: as if absent";
  EXPECT_EQ(memories_->Delete(bob_, shared).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(memories_->SetState(bob_, shared, "inactive").status().code(), Code::kPermissionDenied);
  EXPECT_FALSE(*memories_->Delete(eve_, secret));
  EXPECT_TRUE(*memories_->Delete(Admin(), shared));
  EXPECT_TRUE(*memories_->Delete(alice_heir_, secret));
  EXPECT_FALSE(*memories_->Delete(alice_, secret));
}

TEST_P(MemoriesTest, UpdateAndBatches) {
  const std::string a = Store(alice_, Text("one"));
  const std::string b = Store(alice_, Text("two"));
  const std::string shared = Store(bob_, Text("bob's", "tenant"));
  MemoryChange change;
  change.content = "uno";
  change.importance = 0.9;
  change.memory_type = "observation";
  auto updated = memories_->Update(alice_, a, change);
  ASSERT_TRUE(updated.ok() && updated->has_value()) << updated.status().ToString();
  EXPECT_EQ((*updated)->content, "uno");
  EXPECT_EQ((*updated)->memory_type, "observation");
  EXPECT_GE((*updated)->updated_at, (*updated)->created_at);
  EXPECT_FALSE(memories_->Update(alice_, "nope", change)->has_value());
  change.importance = 2;
  EXPECT_EQ(memories_->Update(alice_, a, change).status().code(), Code::kValidation);

  auto off = memories_->SetStateBatch(alice_, {a, b, shared, "nope"}, "inactive");
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->done, (std::vector<std::string>{a, b}));
  EXPECT_EQ(off->failed, (std::vector<std::string>{shared, "nope"}));
  auto gone = memories_->DeleteBatch(alice_, {a, b});
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->done.size(), 2u);
  EXPECT_TRUE(memories_->DeleteBatch(alice_, {a})->failed.size() == 1u);
}

TEST_P(MemoriesTest, Validation) {
  const auto code = [&](NewMemory m) { return memories_->Store(alice_, m).status().code(); };
  NewMemory m = Text("x");
  m.scope = "planet";
  EXPECT_EQ(code(m), Code::kValidation);
  m = Text("x");
  m.memory_type = "gossip";
  EXPECT_EQ(code(m), Code::kValidation);
  m = Text("x");
  m.importance = -0.1;
  EXPECT_EQ(code(m), Code::kValidation);
  m = Text("x");
  m.state = "pending";
  EXPECT_EQ(code(m), Code::kValidation);
  m = Text("x");
  m.path_key = "k";
  EXPECT_EQ(code(m), Code::kValidation) << "path_key needs a namespace";
  EXPECT_EQ(code(Text("")), Code::kValidation);
  EXPECT_EQ(code(Text(std::string(kMaxMemoryContentBytes + 1, 'x'))), Code::kValidation);
  EXPECT_TRUE(memories_->Store(alice_, Text(std::string(kMaxMemoryContentBytes, 'x'))).ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, MemoriesTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services

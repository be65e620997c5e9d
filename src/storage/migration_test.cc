// The migration runner on both engines, with migrations of its own: the server's schema is
// node/schema.h's and has its own test there.
#include "storage/migration.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/test_store.h"

namespace nexus::storage {
namespace {

using test::EngineKind;

// Versions increase but need not be consecutive. Migration 2 builds on 1.
constexpr Migration kSchema[] = {
    {1, "create a", "CREATE TABLE a (x INTEGER)", "CREATE TABLE a (x INTEGER)"},
    {2, "add a.y", "ALTER TABLE a ADD COLUMN y INTEGER", "ALTER TABLE a ADD COLUMN y INTEGER"},
    {4, "one table per engine", "CREATE TABLE on_sqlite (x INTEGER)",
     "CREATE TABLE on_postgres (x BIGINT)"},
};

constexpr Migration kCreateD = {5, "create d", "CREATE TABLE d (x INTEGER)",
                                "CREATE TABLE d (x INTEGER)"};
constexpr Migration kBroken = {6, "broken", "INSERT INTO missing VALUES (1)",
                               "INSERT INTO missing VALUES (1)"};

// kSchema followed by `later`.
std::vector<Migration> SchemaAnd(std::initializer_list<Migration> later) {
  std::vector<Migration> all(std::begin(kSchema), std::end(kSchema));
  all.insert(all.end(), later);
  return all;
}

class MigrationTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam(), kSchema);
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
  }

  Engine& engine() { return *store_.engine; }

  int Version() {
    StatusOr<int> version = CurrentSchemaVersion(engine());
    EXPECT_TRUE(version.ok()) << version.status().ToString();
    return version.ok() ? *version : -1;
  }

  // "version name" of each recorded migration, in version order.
  std::vector<std::string> Recorded() {
    std::vector<std::string> recorded;
    const Status s = engine().Read([&](Tx& tx) -> Status {
      ASSIGN_OR_RETURN(Rows rows,
                       tx.Query("SELECT version, name FROM schema_migrations ORDER BY version"));
      for (const Row& r : rows) recorded.push_back(std::to_string(r.Int(0)) + " " + r.Text(1));
      return Status::OK();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return recorded;
  }

  bool TableExists(const std::string& table) {
    return engine()
        .Read([&](Tx& tx) { return tx.Query("SELECT COUNT(*) FROM " + table).status(); })
        .ok();
  }

  test::TestStore store_;
};

TEST_P(MigrationTest, AppliesEachInOrderAndRecordsIt) {
  EXPECT_EQ(Version(), 4);
  EXPECT_EQ(Recorded(),
            (std::vector<std::string>{"1 create a", "2 add a.y", "4 one table per engine"}));
  EXPECT_EQ(store_.Count("SELECT COUNT(y) FROM a"), 0);
}

TEST_P(MigrationTest, EachEngineRunsItsOwnText) {
  const bool sqlite = GetParam() == EngineKind::kSqlite;
  EXPECT_EQ(TableExists("on_sqlite"), sqlite);
  EXPECT_EQ(TableExists("on_postgres"), !sqlite);
}

TEST_P(MigrationTest, AppliedMigrationsAreNotRunAgain) {
  ASSERT_TRUE(
      engine()
          .Write([](Tx& tx) { return tx.Exec("INSERT INTO a (x, y) VALUES (1, 2)").status(); })
          .ok());
  const Status again = Migrate(engine(), kSchema);
  EXPECT_TRUE(again.ok()) << again.ToString();
  store_.Reopen();  // migrates kSchema once more
  ASSERT_NE(store_.engine, nullptr);
  EXPECT_EQ(Recorded().size(), 3u);
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM a"), 1);
}

TEST_P(MigrationTest, AppliesOnlyThePendingOnes) {
  const Status s = Migrate(engine(), SchemaAnd({kCreateD}));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Version(), 5);
  EXPECT_EQ(Recorded().back(), "5 create d");
  EXPECT_TRUE(TableExists("d"));
}

TEST_P(MigrationTest, RefusesADatabaseNewerThanTheSchema) {
  const Status s = Migrate(engine(), std::span(kSchema).first(2));
  EXPECT_EQ(s.code(), Code::kSchemaTooNew);
  EXPECT_EQ(s.message(),
            "database schema version 4 is newer than this binary supports (2); upgrade nexus to "
            "open it");
  EXPECT_EQ(Version(), 4);
}

TEST_P(MigrationTest, RefusesAListOutOfOrder) {
  const Migration kZero = {0, "zero", "CREATE TABLE z (x INTEGER)", "CREATE TABLE z (x INTEGER)"};
  for (const std::vector<Migration>& wrong :
       {std::vector<Migration>{kCreateD, kSchema[0]}, SchemaAnd({kCreateD, kCreateD}),
        std::vector<Migration>{kZero}}) {
    const Status s = Migrate(engine(), wrong);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  }
  EXPECT_EQ(Version(), 4);
  EXPECT_FALSE(TableExists("d"));
}

TEST_P(MigrationTest, AFailingMigrationRollsBackTheWholeRun) {
  const Status s = Migrate(engine(), SchemaAnd({kCreateD, kBroken}));
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Version(), 4);
  EXPECT_FALSE(TableExists("d"));
}

INSTANTIATE_TEST_SUITE_P(Engines, MigrationTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::storage

// The whole schema: numbered 1..N, and a fresh store opened with it reaches N and has exactly
// the tables docs/impl.md names, on both engines.
#include "node/schema.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "storage/store.h"
#include "testing/postgres.h"
#include "testing/temp_dir.h"
#include "testing/test_store.h"

namespace nexus::node {
namespace {

using test::EngineKind;

// The backquoted names in the last column of the table in docs/impl.md's "Tables" section.
std::set<std::string> DocumentedTables() {
  std::ifstream doc(NEXUS_IMPL_DOC);
  EXPECT_TRUE(doc.is_open()) << NEXUS_IMPL_DOC;
  std::set<std::string> tables;
  bool in_section = false;
  for (std::string line; std::getline(doc, line);) {
    if (line.starts_with("## ")) in_section = line == "## Tables";
    if (!in_section || !line.starts_with("| ")) continue;
    static const std::regex kName("`(\\w+)`");
    const std::string last = line.substr(line.rfind('|', line.size() - 2));
    for (std::sregex_iterator it(last.begin(), last.end(), kName), end; it != end; ++it) {
      tables.insert((*it)[1]);
    }
  }
  return tables;
}

TEST(SchemaTest, IsNumberedFromOneWithoutGapsOrDuplicates) {
  const std::span<const storage::Migration> schema = Schema();
  ASSERT_FALSE(schema.empty());
  for (size_t i = 0; i < schema.size(); ++i) {
    EXPECT_EQ(schema[i].version, static_cast<int>(i + 1)) << schema[i].name;
    EXPECT_FALSE(schema[i].name.empty()) << schema[i].version;
    EXPECT_FALSE(schema[i].sqlite.empty()) << schema[i].version;
    EXPECT_FALSE(schema[i].postgres.empty()) << schema[i].version;
  }
}

class SchemaStoreTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.data_dir = dir_.path();
    options.schema = Schema();
    if (GetParam() == EngineKind::kPostgres) {
      NEXUS_PG_URL_OR_SKIP(url);
      options.database_url = url;
    }
    StatusOr<storage::Store> store = storage::OpenStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  // Every table of the database but the runner's own.
  std::set<std::string> Tables() {
    const std::string_view sql =
        GetParam() == EngineKind::kSqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT CAST(table_name AS TEXT) FROM information_schema.tables"
              " WHERE table_schema = current_schema()";
    std::set<std::string> tables;
    const Status s = store_.engine->Read([&](storage::Tx& tx) -> Status {
      ASSIGN_OR_RETURN(const storage::Rows rows, tx.Query(sql));
      for (const storage::Row& r : rows) tables.insert(r.Text(0));
      return Status::OK();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    tables.erase("schema_migrations");
    return tables;
  }

  test::TempDir dir_;
  storage::Store store_;
};

TEST_P(SchemaStoreTest, FreshStoreReachesTheLastVersion) {
  StatusOr<int> version = storage::CurrentSchemaVersion(*store_.engine);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, static_cast<int>(Schema().size()));
}

TEST_P(SchemaStoreTest, HasTheTablesDocsImplNames) {
  std::set<std::string> documented = DocumentedTables();
  ASSERT_TRUE(documented.contains("nodes")) << "no tables found in " << NEXUS_IMPL_DOC;
  // SQLite keeps blob content in files (cas/), PostgreSQL in blob_chunks.
  if (GetParam() == EngineKind::kSqlite) documented.erase("blob_chunks");
  EXPECT_EQ(Tables(), documented);
}

INSTANTIATE_TEST_SUITE_P(Engines, SchemaStoreTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::node

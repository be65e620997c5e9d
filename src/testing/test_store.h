// A fresh store (engine + blob store) per test, on either engine, so that one test suite
// runs against SQLite and PostgreSQL alike. The database has the whole schema (node/schema.h)
// unless a test of the migration runner gives its own.
#ifndef NEXUS_TESTING_TEST_STORE_H_
#define NEXUS_TESTING_TEST_STORE_H_

#include <memory>
#include <span>
#include <string>

#include <gtest/gtest.h>

#include "storage/blob_store.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "testing/temp_dir.h"

namespace nexus::test {

enum class EngineKind { kSqlite, kPostgres };

std::string EngineName(EngineKind kind);

// Pretty names for INSTANTIATE_TEST_SUITE_P over EngineKind.
struct EngineKindName {
  std::string operator()(const ::testing::TestParamInfo<EngineKind>& info) const {
    return EngineName(info.param);
  }
};

struct TestStore {
  EngineKind kind = EngineKind::kSqlite;
  std::unique_ptr<TempDir> dir;  // data directory (blobs; SQLite database)
  std::string url;               // what OpenEngine was given
  std::unique_ptr<storage::Engine> engine;
  std::unique_ptr<storage::BlobStore> blobs;   // local blobs for SQLite, rows for PostgreSQL
  std::span<const storage::Migration> schema;  // migrated at every open

  // Closes and reopens the engine on the same database (and blob store), migrating it again.
  void Reopen();

  // The integer in the first column of the first row of `sql` (a COUNT or SUM); -1, and a
  // test failure, when the query fails.
  int64_t Count(std::string_view sql, const storage::Params& params = {});

  // Regular files below the local blob directory cas/ whose name contains `part` (every
  // file when `part` is empty): blobs, and temporaries a failed write would leave.
  int FilesInCas(std::string_view part = {}) const;
};

// Opens a fresh store with the whole schema. For PostgreSQL, when no test server is
// configured, returns a store without an engine after marking the test skipped (or failed when
// NEXUS_REQUIRE_PG=1): call from SetUp and return when `engine` is null.
TestStore OpenTestStore(EngineKind kind,
                        storage::Durability durability = storage::Durability::kFull);

// The same with `schema` instead of the whole schema: for tests of the migration runner.
TestStore OpenTestStore(EngineKind kind, std::span<const storage::Migration> schema);

}  // namespace nexus::test

#endif  // NEXUS_TESTING_TEST_STORE_H_

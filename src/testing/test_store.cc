#include "testing/test_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "node/schema.h"
#include "testing/postgres.h"

namespace nexus::test {

std::string EngineName(EngineKind kind) {
  return kind == EngineKind::kSqlite ? "Sqlite" : "Postgres";
}

namespace {

void OpenEngineAndBlobs(TestStore& store, storage::Durability durability) {
  auto engine = storage::OpenEngine(store.url, durability);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  const Status migrated = storage::Migrate(**engine, store.schema);
  ASSERT_TRUE(migrated.ok()) << migrated.ToString();
  store.engine = std::move(engine).value();
  store.blobs = store.kind == EngineKind::kSqlite
                    ? storage::NewLocalBlobStore(store.dir->path(), durability)
                    : storage::NewDatabaseBlobStore(*store.engine);
}

TestStore OpenFresh(EngineKind kind, storage::Durability durability,
                    std::span<const storage::Migration> schema) {
  TestStore store;
  store.kind = kind;
  store.schema = schema;
  store.dir = std::make_unique<TempDir>();
  if (kind == EngineKind::kSqlite) {
    store.url = store.dir->path() + "/nexus.db";
  } else {
    store.url = FreshPostgresUrl();
    if (store.url.empty()) return store;  // skipped or failed by FreshPostgresUrl
  }
  OpenEngineAndBlobs(store, durability);
  return store;
}

}  // namespace

void TestStore::Reopen() {
  blobs.reset();
  engine.reset();
  OpenEngineAndBlobs(*this, storage::Durability::kFull);
}

int64_t TestStore::Count(std::string_view sql, const storage::Params& params) {
  int64_t n = -1;
  const Status s = engine->Read([&](storage::Tx& tx) -> Status {
    ASSIGN_OR_RETURN(storage::Rows rows, tx.Query(sql, params));
    if (!rows.empty()) n = rows[0].Int(0);
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << sql << ": " << s.ToString();
  return n;
}

int TestStore::FilesInCas(std::string_view part) const {
  const std::filesystem::path cas = dir->path() + "/cas";
  if (!std::filesystem::exists(cas)) return 0;
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(cas)) {
    n += e.is_regular_file() && e.path().filename().string().find(part) != std::string::npos;
  }
  return n;
}

TestStore OpenTestStore(EngineKind kind, storage::Durability durability) {
  return OpenFresh(kind, durability, node::Schema());
}

TestStore OpenTestStore(EngineKind kind, std::span<const storage::Migration> schema) {
  return OpenFresh(kind, storage::Durability::kFull, schema);
}

}  // namespace nexus::test

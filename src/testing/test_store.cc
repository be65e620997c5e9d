#include "testing/test_store.h"

#include <gtest/gtest.h>

#include "testing/postgres.h"

namespace nexus::test {

std::string EngineName(EngineKind kind) {
  return kind == EngineKind::kSqlite ? "Sqlite" : "Postgres";
}

namespace {

void OpenEngineAndBlobs(TestStore& store, storage::Durability durability) {
  auto engine = storage::OpenEngine(store.url, durability);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  store.engine = std::move(engine).value();
  store.blobs = store.kind == EngineKind::kSqlite
                    ? storage::NewLocalBlobStore(store.dir->path(), durability)
                    : storage::NewDatabaseBlobStore(*store.engine);
}

}  // namespace

void TestStore::Reopen() {
  blobs.reset();
  engine.reset();
  OpenEngineAndBlobs(*this, storage::Durability::kFull);
}

TestStore OpenTestStore(EngineKind kind, storage::Durability durability) {
  TestStore store;
  store.kind = kind;
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

}  // namespace nexus::test

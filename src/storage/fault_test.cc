// Injected disk-full and I/O failures in the blob stores and at commit, on both engines:
// a failed write leaves nothing behind and the next one works.
#include <gtest/gtest.h>

#include "storage/blob_refs.h"
#include "storage/blob_store.h"
#include "testing/test_store.h"
#include "util/fault_injection.h"
#include "util/hash.h"

namespace nexus::storage {
namespace {

using test::EngineKind;

class StorageFaultTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
  }
  void TearDown() override { ClearFaults(); }

  Engine& engine() { return *store_.engine; }
  BlobStore& blobs() { return *store_.blobs; }
  bool sqlite() const { return GetParam() == EngineKind::kSqlite; }

  Status InsertNode(const std::string& path) {
    return engine().Write([&](Tx& tx) {
      return tx
          .Exec(
              "INSERT INTO nodes (path, parent, is_dir, owner, created_at, modified_at)"
              " VALUES (?, '/', 0, 'u', 0, 0)",
              {path})
          .status();
    });
  }

  test::TestStore store_;
};

TEST_P(StorageFaultTest, CommitFailureRollsTheUnitBack) {
  const char* rule = sqlite() ? "sqlite.commit:1:ENOSPC" : "postgres.commit:1:ENOSPC";
  ASSERT_TRUE(SetFaults(rule).ok());
  const Status failed = InsertNode("/lost");
  EXPECT_EQ(failed.code(), Code::kStorageFull) << failed.ToString();
  EXPECT_NE(failed.message().find("No space left on device"), std::string::npos)
      << failed.message();
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM nodes WHERE path = ?", {std::string("/lost")}), 0);
  EXPECT_GE(engine().Stats().failed_units, 1);
  // The next commit is not hit (the rule named the first) and everything works again.
  ASSERT_TRUE(InsertNode("/kept").ok());
  ASSERT_TRUE(InsertNode("/lost").ok());
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM nodes WHERE path IN ('/lost', '/kept')"), 2);
}

TEST_P(StorageFaultTest, EveryCommitFailsWhileTheRuleHoldsAndReadsStillWork) {
  ASSERT_TRUE(InsertNode("/before").ok());
  ASSERT_TRUE(SetFaults(sqlite() ? "sqlite.commit:every:EIO" : "postgres.commit:every:EIO").ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(InsertNode("/during" + std::to_string(i)).code(), Code::kIOError);
  }
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM nodes WHERE path LIKE '/during%'"), 0);
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM nodes WHERE path = '/before'"), 1);
  ClearFaults();
  ASSERT_TRUE(InsertNode("/during0").ok());
  EXPECT_TRUE(engine().CheckIntegrity().ok());
}

// Local blobs belong to the SQLite store.
class SqliteStorageFaultTest : public StorageFaultTest {};

TEST_P(SqliteStorageFaultTest, LocalBlobFailuresLeaveNoFilesBehind) {
  const std::string content = "blob content";
  for (const char* rule : {"file.write:1:ENOSPC", "file.fsync:1:EIO", "file.rename:1:ENOSPC"}) {
    ASSERT_TRUE(SetFaults(rule).ok());
    const StatusOr<std::string> put = blobs().Put(content);
    ASSERT_FALSE(put.ok()) << rule;
    EXPECT_TRUE(put.status().code() == Code::kStorageFull || put.status().code() == Code::kIOError)
        << put.status().ToString();
    EXPECT_EQ(store_.FilesInCas(), 0) << rule;
    EXPECT_EQ(blobs().Get(Sha256Hex(content)).status().code(), Code::kNotFound) << rule;
  }
  ClearFaults();
  ASSERT_TRUE(blobs().Put(content).ok());
  EXPECT_EQ(*blobs().Get(Sha256Hex(content)), content);
  EXPECT_EQ(store_.FilesInCas(), 1);
}

// The database blob store serves PostgreSQL.
class PostgresStorageFaultTest : public StorageFaultTest {};

TEST_P(PostgresStorageFaultTest, DatabaseBlobFailsMidWriteAndLeavesNoChunk) {
  // Three chunks: the fault hits after the first is inserted.
  const std::string content(2 * (1 << 20) + 17, 'x');
  const std::string hash = Sha256Hex(content);
  ASSERT_TRUE(SetFaults("dbblob.write:1:ENOSPC").ok());
  EXPECT_EQ(blobs().Put(content).status().code(), Code::kStorageFull);
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM blob_chunks WHERE hash = ?", {hash}), 0);
  EXPECT_EQ(blobs().Get(hash).status().code(), Code::kNotFound);
  ClearFaults();
  ASSERT_TRUE(blobs().Put(content).ok());
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM blob_chunks WHERE hash = ?", {hash}), 3);
  EXPECT_EQ(*blobs().Get(hash), content);
}

TEST_P(StorageFaultTest, FailedReferenceLeavesOnlyASweepableOrphan) {
  const std::string content = "referenced later";
  StatusOr<std::string> hash = blobs().Put(content);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  ASSERT_TRUE(SetFaults(sqlite() ? "sqlite.commit:1:ENOSPC" : "postgres.commit:1:ENOSPC").ok());
  const Status ref = engine().Write([&](Tx& tx) { return AddBlobRef(tx, blobs(), *hash, 16); });
  EXPECT_EQ(ref.code(), Code::kStorageFull);
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM blobs WHERE hash = ?", {*hash}), 0);
  StatusOr<BlobCheckReport> report = CheckBlobs(engine(), blobs());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->orphans, std::vector<std::string>{*hash});
  StatusOr<int64_t> swept = SweepBlobs(engine(), blobs(), /*grace_micros=*/0);
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(*swept, 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, StorageFaultTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteStorageFaultTest, ::testing::Values(EngineKind::kSqlite),
                         test::EngineKindName());
INSTANTIATE_TEST_SUITE_P(Postgres, PostgresStorageFaultTest,
                         ::testing::Values(EngineKind::kPostgres), test::EngineKindName());

}  // namespace
}  // namespace nexus::storage

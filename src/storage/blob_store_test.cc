// Blob stores, reference counts, the sweeper and the checker, on both engines.
#include <gtest/gtest.h>

#include <fstream>

#include "storage/blob_refs.h"
#include "storage/blob_store.h"
#include "testing/test_store.h"
#include "util/hash.h"

namespace nexus::storage {
namespace {

using test::EngineKind;

class BlobStoreTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
  }

  Engine& engine() { return *store_.engine; }
  BlobStore& blobs() { return *store_.blobs; }

  Status Ref(const std::string& hash, int64_t size) {
    return engine().Write([&](Tx& tx) { return AddBlobRef(tx, blobs(), hash, size); });
  }
  Status Unref(const std::string& hash, int64_t count = 1) {
    return engine().Write([&](Tx& tx) { return DropBlobRefs(tx, hash, count); });
  }

  // Makes the check count `n` version rows for `hash`, as the path tree would.
  void AddVersionRows(const std::string& hash, int n) {
    ASSERT_TRUE(
        engine()
            .Write([&](Tx& tx) -> Status {
              ASSIGN_OR_RETURN(
                  Rows rows, tx.Query("INSERT INTO nodes (path, parent, is_dir, owner, created_at,"
                                      " modified_at) VALUES (?, '/', 0, 'u', 0, 0) RETURNING id",
                                      {"/" + hash.substr(0, 8)}));
              for (int v = 1; v <= n; ++v) {
                RETURN_IF_ERROR(
                    tx.Exec("INSERT INTO versions (node_id, version, hash, size, created_at,"
                            " source_type) VALUES (?, ?, ?, 0, 0, 'original')",
                            {rows.at(0).Int(0), int64_t{v}, hash})
                        .status());
              }
              return Status::OK();
            })
            .ok());
  }

  // Overwrites the stored bytes of `hash` behind the store's back.
  void Tamper(const std::string& hash, const std::string& bytes) {
    if (GetParam() == EngineKind::kSqlite) {
      const std::string path =
          store_.dir->path() + "/cas/" + hash.substr(0, 2) + "/" + hash.substr(2, 2) + "/" + hash;
      std::ofstream(path, std::ios::trunc) << bytes;
      return;
    }
    ASSERT_TRUE(
        engine()
            .Write([&](Tx& tx) {
              return tx.Exec("UPDATE blob_chunks SET data = ? WHERE hash = ?", {Bytes{bytes}, hash})
                  .status();
            })
            .ok());
  }

  test::TestStore store_;
};

TEST_P(BlobStoreTest, PutReturnsSha256AndGetReturnsContent) {
  auto hash = blobs().Put("hello");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(*hash, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  auto content = blobs().Get(*hash);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "hello");
}

TEST_P(BlobStoreTest, EmptyAndLargeAndBinaryContent) {
  const std::string large(3 * (1 << 20) + 17, 'x');  // spans several database chunks
  const std::string binary("\0\1\2\3\0", 5);
  for (const std::string& content : {std::string(), large, binary}) {
    auto hash = blobs().Put(content);
    ASSERT_TRUE(hash.ok());
    auto back = blobs().Get(*hash);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, content);
  }
}

TEST_P(BlobStoreTest, PuttingTheSameContentTwiceIsOneBlob) {
  ASSERT_TRUE(blobs().Put("same").ok());
  ASSERT_TRUE(blobs().Put("same").ok());
  int count = 0;
  ASSERT_TRUE(blobs()
                  .ForEach([&](const StoredBlob&) {
                    ++count;
                    return Status::OK();
                  })
                  .ok());
  EXPECT_EQ(count, 1);
}

TEST_P(BlobStoreTest, MissingAndMalformedHashes) {
  EXPECT_EQ(blobs().Get(Sha256Hex("never stored")).status().code(), Code::kNotFound);
  EXPECT_EQ(blobs().Get("../../etc/passwd").status().code(), Code::kInvalidArgument);
}

TEST_P(BlobStoreTest, CorruptionIsDetectedOnRead) {
  auto hash = blobs().Put("precious");
  ASSERT_TRUE(hash.ok());
  Tamper(*hash, "tampered");
  EXPECT_EQ(blobs().Get(*hash).status().code(), Code::kIOError);
  ASSERT_TRUE(Ref(*hash, 8).ok());
  AddVersionRows(*hash, 1);
  auto report = CheckBlobs(engine(), blobs());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->corrupt, std::vector<std::string>{*hash});
  EXPECT_FALSE(report->ok());
}

TEST_P(BlobStoreTest, ReferencingAnAbsentBlobAsksForARetry) {
  Status s = Ref(Sha256Hex("not stored"), 10);
  EXPECT_EQ(s.code(), Code::kRetry) << s.ToString();
}

TEST_P(BlobStoreTest, SweeperRemovesOnlyUnreferencedBlobsPastGrace) {
  auto kept = blobs().Put("kept");
  auto dropped = blobs().Put("dropped");
  auto stray = blobs().Put("stray");  // stored, never referenced: a write that failed
  ASSERT_TRUE(kept.ok() && dropped.ok() && stray.ok());
  ASSERT_TRUE(Ref(*kept, 4).ok());
  ASSERT_TRUE(Ref(*dropped, 7).ok());
  ASSERT_TRUE(Unref(*dropped).ok());
  AddVersionRows(*kept, 1);

  auto none = SweepBlobs(engine(), blobs(), /*grace_micros=*/3600LL * 1000000);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0) << "nothing is old enough yet";
  EXPECT_TRUE(blobs().Get(*dropped).ok());

  auto swept = SweepBlobs(engine(), blobs(), /*grace_micros=*/0);
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(*swept, 2);
  EXPECT_TRUE(blobs().Get(*kept).ok());
  EXPECT_EQ(blobs().Get(*dropped).status().code(), Code::kNotFound);
  EXPECT_EQ(blobs().Get(*stray).status().code(), Code::kNotFound);

  auto report = CheckBlobs(engine(), blobs());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_TRUE(report->orphans.empty());
}

TEST_P(BlobStoreTest, ReReferencingAnUnreferencedBlobSavesItFromTheSweeper) {
  auto hash = blobs().Put("comeback");
  ASSERT_TRUE(hash.ok());
  ASSERT_TRUE(Ref(*hash, 8).ok());
  ASSERT_TRUE(Unref(*hash).ok());
  ASSERT_TRUE(Ref(*hash, 8).ok());
  AddVersionRows(*hash, 1);
  auto swept = SweepBlobs(engine(), blobs(), 0);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 0);
  EXPECT_TRUE(blobs().Get(*hash).ok());
}

TEST_P(BlobStoreTest, CheckerFindsWrongCountsMissingBlobsAndOrphans) {
  auto counted = blobs().Put("counted");
  auto orphan = blobs().Put("orphan");
  ASSERT_TRUE(counted.ok() && orphan.ok());
  ASSERT_TRUE(Ref(*counted, 7).ok());
  ASSERT_TRUE(Ref(*counted, 7).ok());
  AddVersionRows(*counted, 1);  // two references counted, one exists
  ASSERT_TRUE(engine().Write([&](Tx& tx) { return blobs().Remove(tx, *counted); }).ok());

  auto report = CheckBlobs(engine(), blobs());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->wrong_refcount, std::vector<std::string>{*counted});
  EXPECT_EQ(report->missing, std::vector<std::string>{*counted});
  EXPECT_EQ(report->orphans, std::vector<std::string>{*orphan});
  EXPECT_FALSE(report->ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, BlobStoreTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::storage

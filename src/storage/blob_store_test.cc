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

// Storing content under its hash is what a resend would do again: it does not make the
// call that stored it unsafe to resend (storage::WriteUnitsCommittedByThisThread).
TEST_P(BlobStoreTest, StoringContentLeavesACallSafeToResend) {
  const int64_t before = WriteUnitsCommittedByThisThread();
  const auto hash = blobs().Put("resend me");
  ASSERT_TRUE(hash.ok());
  const auto joined = blobs().Concatenate({*hash});
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_EQ(WriteUnitsCommittedByThisThread(), before);
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

// Content whose byte at i is a function of i, so that a range from the wrong place shows.
std::string Patterned(size_t size, int seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 131 + seed) % 251);
  return out;
}

TEST_P(BlobStoreTest, RangesAcrossChunksAndPastTheEnd) {
  const std::string content = Patterned(2 * kBlobChunkBytes + 1000, 1);
  const std::string hash = *blobs().Put(content);
  const int64_t size = static_cast<int64_t>(content.size());
  for (const auto& [offset, length] :
       std::vector<std::pair<int64_t, int64_t>>{{0, 10},
                                                {kBlobChunkBytes - 5, 10},
                                                {kBlobChunkBytes, kBlobChunkBytes + 1000},
                                                {size - 3, 100},
                                                {size, 10},
                                                {size + kBlobChunkBytes * 3, 10},
                                                {7, 0}}) {
    auto range = blobs().GetRange(hash, offset, length);
    ASSERT_TRUE(range.ok()) << offset << ": " << range.status().ToString();
    const size_t from = std::min(content.size(), static_cast<size_t>(offset));
    EXPECT_EQ(*range, content.substr(from, static_cast<size_t>(length))) << offset;
  }
  EXPECT_EQ(blobs().GetRange(Sha256Hex("absent"), 0, 1).status().code(), Code::kNotFound);
  EXPECT_EQ(blobs().GetRange("../x", 0, 1).status().code(), Code::kInvalidArgument);
}

TEST_P(BlobStoreTest, ConcatenatedPartsAreOneBlobOfTheWhole) {
  const std::vector<std::string> contents = {Patterned(kBlobChunkBytes, 2),
                                             Patterned(2 * kBlobChunkBytes, 3), Patterned(777, 4)};
  std::vector<std::string> parts;
  for (const std::string& c : contents) parts.push_back(*blobs().Put(c));
  const std::string whole = contents[0] + contents[1] + contents[2];
  auto hash = blobs().Concatenate(parts);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(*hash, Sha256Hex(whole));
  EXPECT_EQ(*blobs().Get(*hash), whole);
  EXPECT_EQ(*blobs().GetRange(*hash, 3 * kBlobChunkBytes - 2, 10),
            whole.substr(3 * kBlobChunkBytes - 2, 10));
  EXPECT_EQ(*blobs().Concatenate(parts), *hash) << "the same parts again: the same blob";
  EXPECT_EQ(*blobs().Get(parts[1]), contents[1]) << "the parts stay";
  int blob_count = 0;
  ASSERT_TRUE(blobs().ForEach([&](const StoredBlob&) { return ++blob_count, Status::OK(); }).ok());
  EXPECT_EQ(blob_count, 4) << "three parts and the whole, no temporary file counted";
}

TEST_P(BlobStoreTest, ConcatenateRefusesACorruptPart) {
  const std::string first = *blobs().Put(Patterned(kBlobChunkBytes, 5));
  const std::string last = *blobs().Put("last");
  Tamper(last, "lost");
  EXPECT_EQ(blobs().Concatenate({first, last}).status().code(), Code::kIOError);
}

TEST_P(BlobStoreTest, ConcatenateRefusesMisalignedAndMissingParts) {
  const std::string small = *blobs().Put("small");
  const std::string last = *blobs().Put("last");
  EXPECT_EQ(blobs().Concatenate({small, last}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(blobs().Concatenate({Sha256Hex("absent")}).status().code(), Code::kNotFound);
  auto single = blobs().Concatenate({last});
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  EXPECT_EQ(*single, last);
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

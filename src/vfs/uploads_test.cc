#include "vfs/uploads.h"

#include <gtest/gtest.h>

#include <functional>

#include "testing/forwarding_blob_store.h"
#include "util/hash.h"
#include "vfs/test_tree.h"

namespace nexus::vfs {
namespace {

constexpr int64_t kPart = storage::kBlobChunkBytes;

std::string Patterned(int64_t size, int seed) {
  std::string out(static_cast<size_t>(size), '\0');
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>((i * 7 + seed) % 253);
  return out;
}

// Blobs whose Concatenate first runs `before`: what a concurrent call does while a commit
// joins the parts.
class InterruptedBlobs : public test::ForwardingBlobStore {
 public:
  InterruptedBlobs(storage::BlobStore& blobs, std::function<void()> before)
      : ForwardingBlobStore(blobs), before_(std::move(before)) {}
  StatusOr<std::string> Concatenate(const std::vector<std::string>& parts) override {
    before_();
    return ForwardingBlobStore::Concatenate(parts);
  }

 private:
  const std::function<void()> before_;
};

class UploadsTest : public TreeTest {
 protected:
  void SetUp() override {
    TreeTest::SetUp();
    if (!store_.engine) return;
    UploadOptions options;
    options.part_size = kPart;
    uploads_ = std::make_unique<Uploads>(*store_.engine, *store_.blobs, *tree_, options);
  }

  UploadSession Begin(const std::string& path, std::optional<std::string> if_match = {}) {
    auto session = uploads_->Begin(path, "alice", std::move(if_match));
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    return session.ok() ? *session : UploadSession{};
  }

  void Put(const UploadSession& session, int64_t index, const std::string& content) {
    auto part = uploads_->PutPart(session, index, content);
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    EXPECT_EQ(part->hash, Sha256Hex(content));
  }

  std::unique_ptr<Uploads> uploads_;
  const Actor alice_{"alice"};
};

TEST_P(UploadsTest, PartsInAnyOrderBecomeOneVersionOfTheWhole) {
  const std::vector<std::string> parts = {Patterned(kPart, 1), Patterned(kPart, 2),
                                          Patterned(1000, 3)};
  const std::string whole = parts[0] + parts[1] + parts[2];
  const UploadSession session = Begin("/big.bin");
  Put(session, 2, parts[2]);
  Put(session, 0, parts[0]);
  Put(session, 1, parts[1]);
  EXPECT_EQ(tree_->Stat("/big.bin").status().code(), Code::kNotFound) << "nothing before commit";
  auto info = uploads_->Commit(alice_, session, 3, static_cast<int64_t>(whole.size()));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->etag, Sha256Hex(whole));
  EXPECT_EQ(info->size, static_cast<int64_t>(whole.size()));
  EXPECT_EQ(tree_->Read("/big.bin")->content, whole);
  EXPECT_EQ(tree_->ListVersions("/big.bin")->size(), 1u);
  auto range = tree_->ReadRange("/big.bin", kPart - 3, 6);
  ASSERT_TRUE(range.ok()) << range.status().ToString();
  EXPECT_EQ(range->content, whole.substr(kPart - 3, 6));
  EXPECT_EQ(range->info.etag, info->etag);
  EXPECT_EQ(uploads_->Find(session.id, "alice").status().code(), Code::kNotFound)
      << "a committed session is gone";
}

TEST_P(UploadsTest, APartSentAgainReplacesTheEarlierOne) {
  const UploadSession session = Begin("/f");
  Put(session, 0, "first try");
  Put(session, 0, "second try");
  auto info = uploads_->Commit(alice_, session, {}, {});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(tree_->Read("/f")->content, "second try");
}

TEST_P(UploadsTest, NoPartsIsAnEmptyFile) {
  auto info = uploads_->Commit(alice_, Begin("/empty"), 0, 0);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(tree_->Read("/empty")->content, "");
}

TEST_P(UploadsTest, AnIncompleteUploadIsRefusedAndCanBeCompleted) {
  const UploadSession session = Begin("/f");
  Put(session, 0, Patterned(kPart, 1));
  Put(session, 2, "tail");
  auto missing = uploads_->Commit(alice_, session, {}, {});
  EXPECT_EQ(missing.status().code(), Code::kValidation);
  EXPECT_NE(missing.status().message().find("no part 1"), std::string::npos)
      << missing.status().ToString();
  Put(session, 1, "short");
  auto short_middle = uploads_->Commit(alice_, session, {}, {});
  EXPECT_EQ(short_middle.status().code(), Code::kValidation) << short_middle.status().ToString();
  Put(session, 1, Patterned(kPart, 2));
  EXPECT_EQ(uploads_->Commit(alice_, session, 4, {}).status().code(), Code::kValidation);
  EXPECT_EQ(uploads_->Commit(alice_, session, 3, 5).status().code(), Code::kValidation);
  EXPECT_EQ(tree_->Stat("/f").status().code(), Code::kNotFound);
  auto info = uploads_->Commit(alice_, session, 3, 2 * kPart + 4);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
}

TEST_P(UploadsTest, AnUploadLosingItsConditionLeavesTheFileAlone) {
  const std::string v1 = tree_->Write(alice_, "/f", "v1")->etag;
  const UploadSession session = Begin("/f", v1);
  Put(session, 0, "from the upload");
  ASSERT_TRUE(tree_->Write(alice_, "/f", "v2 meanwhile").ok());
  EXPECT_EQ(uploads_->Commit(alice_, session, {}, {}).status().code(), Code::kConflict);
  EXPECT_EQ(tree_->Read("/f")->content, "v2 meanwhile");
  EXPECT_EQ(tree_->ListVersions("/f")->size(), 2u);
  ASSERT_TRUE(uploads_->Abort(*uploads_->Find(session.id, "alice")).ok());
  EXPECT_EQ(uploads_->Find(session.id, "alice").status().code(), Code::kNotFound);
}

TEST_P(UploadsTest, APartSentAgainDuringTheCommitFailsIt) {
  const UploadSession session = Begin("/f");
  Put(session, 0, "first");
  UploadOptions options;
  options.part_size = kPart;
  std::unique_ptr<Uploads> racing;
  InterruptedBlobs blobs(*store_.blobs,
                         [&] { ASSERT_TRUE(uploads_->PutPart(session, 0, "second").ok()); });
  racing = std::make_unique<Uploads>(*store_.engine, blobs, *tree_, options);
  EXPECT_EQ(racing->Commit(alice_, session, {}, {}).status().code(), Code::kConflict)
      << "the whole was joined from a part that is no longer the session's";
  EXPECT_EQ(tree_->Stat("/f").status().code(), Code::kNotFound);
  ASSERT_TRUE(uploads_->Commit(alice_, session, {}, {}).ok()) << "committed again, it holds";
  EXPECT_EQ(tree_->Read("/f")->content, "second");
}

TEST_P(UploadsTest, SessionsAreTheirOwnersOnly) {
  const UploadSession session = Begin("/f");
  EXPECT_EQ(uploads_->Find(session.id, "bob").status().code(), Code::kNotFound);
  EXPECT_EQ(uploads_->Find("no-such-id", "alice").status().code(), Code::kNotFound);
  EXPECT_TRUE(uploads_->Find(session.id, "alice").ok());
}

TEST_P(UploadsTest, BadPartsAreRefused) {
  const UploadSession session = Begin("/f");
  EXPECT_EQ(uploads_->PutPart(session, -1, "x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(uploads_->PutPart(session, 0, Patterned(kPart + 1, 1)).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(uploads_->Begin("relative/../../x", "alice", {}).status().code(), Code::kInvalidPath);
  ASSERT_TRUE(uploads_->Abort(session).ok());
  EXPECT_EQ(uploads_->PutPart(session, 0, "late").status().code(), Code::kNotFound);
  EXPECT_EQ(uploads_->Abort(session).code(), Code::kNotFound);
}

TEST_P(UploadsTest, ExpiredSessionsAreSweptWithTheirParts) {
  UploadOptions brief;
  brief.part_size = kPart;
  brief.ttl_micros = 1;
  Uploads uploads(*store_.engine, *store_.blobs, *tree_, brief);
  auto session = uploads.Begin("/f", "alice", {});
  ASSERT_TRUE(session.ok());
  // Expired before its part arrives: Find refuses it, and the sweep takes the session.
  EXPECT_EQ(uploads.Find(session->id, "alice").status().code(), Code::kNotFound);
  ASSERT_TRUE(uploads.PutPart(*session, 0, "abandoned").ok());
  auto swept = uploads.SweepExpired();
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(store_.Count("SELECT COUNT(*) FROM upload_parts"), 0);
  EXPECT_EQ(store_.Count("SELECT refcount FROM blobs WHERE hash = ?", {Sha256Hex("abandoned")}), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, UploadsTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::vfs

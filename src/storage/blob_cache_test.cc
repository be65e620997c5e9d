#include "storage/blob_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "testing/test_store.h"

namespace nexus::storage {
namespace {

// An in-memory store that counts the reads reaching it and can be made to fail them.
class CountingStore final : public BlobStore {
 public:
  StatusOr<std::string> Put(std::string_view content) override {
    const std::string hash = "h" + std::to_string(blobs_.size());
    blobs_[hash] = std::string(content);
    return hash;
  }
  StatusOr<std::string> Get(std::string_view hash) override {
    ++gets;
    if (failing) return IOError("content blob is corrupt");
    const auto it = blobs_.find(std::string(hash));
    if (it == blobs_.end()) return NotFound("no blob");
    return it->second;
  }
  StatusOr<std::string> GetRange(std::string_view hash, int64_t offset, int64_t length) override {
    ASSIGN_OR_RETURN(const std::string content, Get(hash));
    return content.substr(std::min(content.size(), static_cast<size_t>(offset)),
                          static_cast<size_t>(length));
  }
  StatusOr<std::string> Concatenate(const std::vector<std::string>& parts) override {
    std::string whole;
    for (const std::string& part : parts) {
      ASSIGN_OR_RETURN(const std::string content, Get(part));
      whole += content;
    }
    return Put(whole);
  }
  StatusOr<bool> Contains(Tx&, std::string_view hash) override {
    return blobs_.count(std::string(hash)) > 0;
  }
  Status Remove(Tx&, std::string_view hash) override {
    blobs_.erase(std::string(hash));
    return Status::OK();
  }
  Status ForEach(const std::function<Status(const StoredBlob&)>&) override { return Status::OK(); }

  std::atomic<int> gets{0};
  std::atomic<bool> failing{false};

 private:
  std::map<std::string, std::string, std::less<>> blobs_;  // written before the reads start
};

class BlobCacheTest : public ::testing::Test {
 protected:
  void Open(BlobCacheOptions options) {
    auto inner = std::make_unique<CountingStore>();
    inner_ = inner.get();
    cache_ = NewCachingBlobStore(std::move(inner), options);
  }
  std::string Put(size_t size, char fill) { return *cache_->Put(std::string(size, fill)); }

  CountingStore* inner_ = nullptr;
  std::unique_ptr<BlobStore> cache_;
};

TEST_F(BlobCacheTest, ASecondReadIsAnsweredFromMemory) {
  Open({});
  const std::string hash = Put(1024, 'a');
  EXPECT_EQ(*cache_->Get(hash), std::string(1024, 'a'));
  EXPECT_EQ(*cache_->Get(hash), std::string(1024, 'a'));
  EXPECT_EQ(inner_->gets, 1);
}

TEST_F(BlobCacheTest, LargeBlobsPassThrough) {
  Open({.capacity_bytes = 1 << 20, .max_blob_bytes = 100});
  const std::string big = Put(101, 'b');
  const std::string small = Put(100, 's');
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(cache_->Get(big)->size(), 101u);
    EXPECT_EQ(cache_->Get(small)->size(), 100u);
  }
  EXPECT_EQ(inner_->gets, 3) << "the large blob is read twice, the small one once";
}

TEST_F(BlobCacheTest, TheLeastRecentlyReadGoesFirst) {
  Open({.capacity_bytes = 3000, .max_blob_bytes = 1000});
  const std::string a = Put(1000, 'a'), b = Put(1000, 'b'), c = Put(1000, 'c');
  const std::string d = Put(1000, 'd');
  for (const std::string& h : {a, b, c}) ASSERT_TRUE(cache_->Get(h).ok());
  ASSERT_TRUE(cache_->Get(a).ok());  // a is now the most recent; b the least
  ASSERT_TRUE(cache_->Get(d).ok());  // 4,000 bytes: b goes
  EXPECT_EQ(inner_->gets, 4);
  for (const std::string& h : {a, c, d}) ASSERT_TRUE(cache_->Get(h).ok());
  EXPECT_EQ(inner_->gets, 4) << "a, c and d stayed";
  EXPECT_EQ(*cache_->Get(b), std::string(1000, 'b'));
  EXPECT_EQ(inner_->gets, 5) << "b was dropped";
}

TEST_F(BlobCacheTest, FailuresAreNotRemembered) {
  Open({});
  const std::string hash = Put(10, 'x');
  EXPECT_EQ(cache_->Get("missing").status().code(), Code::kNotFound);
  EXPECT_EQ(cache_->Get("missing").status().code(), Code::kNotFound);
  inner_->failing = true;
  EXPECT_EQ(cache_->Get(hash).status().code(), Code::kIOError);
  inner_->failing = false;
  EXPECT_EQ(*cache_->Get(hash), std::string(10, 'x'));
  EXPECT_EQ(inner_->gets, 4);
}

TEST_F(BlobCacheTest, RemoveDropsTheEntry) {
  test::TestStore store = test::OpenTestStore(test::EngineKind::kSqlite);
  ASSERT_NE(store.engine, nullptr);
  Open({});
  const std::string hash = Put(10, 'r');
  ASSERT_TRUE(cache_->Get(hash).ok());
  ASSERT_TRUE(store.engine->Write([&](Tx& tx) { return cache_->Remove(tx, hash); }).ok());
  EXPECT_EQ(cache_->Get(hash).status().code(), Code::kNotFound);
}

TEST_F(BlobCacheTest, ConcurrentReadersSeeTheirOwnBytes) {
  Open({.capacity_bytes = 8 * 1000, .max_blob_bytes = 1000});  // room for half of them
  std::vector<std::string> hashes;
  for (int i = 0; i < 16; ++i) hashes.push_back(Put(1000, static_cast<char>('a' + i)));
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const int k = (i * 7 + t) % 16;
        StatusOr<std::string> content = cache_->Get(hashes[k]);
        if (!content.ok() || *content != std::string(1000, static_cast<char>('a' + k))) ++wrong;
      }
    });
  }
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(wrong, 0);
}

}  // namespace
}  // namespace nexus::storage

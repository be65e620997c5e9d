#include "storage/blob_cache.h"

#include <iterator>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::storage {
namespace {

class CachingBlobStore final : public BlobStore {
 public:
  CachingBlobStore(std::unique_ptr<BlobStore> inner, BlobCacheOptions options)
      : inner_(std::move(inner)), options_(options) {}

  StatusOr<std::string> Put(std::string_view content) override { return inner_->Put(content); }

  StatusOr<std::string> Get(std::string_view hash) override {
    if (std::optional<std::string> cached = Find(hash)) return std::move(*cached);
    StatusOr<std::string> content = inner_->Get(hash);  // not under mu_: it may do I/O
    if (content.ok() && content->size() <= options_.max_blob_bytes) Insert(hash, *content);
    return content;
  }

  StatusOr<std::string> GetRange(std::string_view hash, int64_t offset, int64_t length) override {
    return inner_->GetRange(hash, offset, length);
  }

  StatusOr<std::string> Concatenate(const std::vector<std::string>& parts) override {
    return inner_->Concatenate(parts);
  }

  StatusOr<bool> Contains(Tx& tx, std::string_view hash) override {
    return inner_->Contains(tx, hash);
  }

  Status Remove(Tx& tx, std::string_view hash) override {
    Drop(hash);
    return inner_->Remove(tx, hash);
  }

  Status ForEach(const std::function<Status(const StoredBlob&)>& fn) override {
    return inner_->ForEach(fn);
  }

 private:
  struct Entry {
    std::string hash;
    std::string content;
  };
  using Lru = std::list<Entry>;  // most recently read first

  std::optional<std::string> Find(std::string_view hash) {
    MutexLock lock(&mu_);
    const auto it = index_.find(std::string(hash));
    if (it == index_.end()) return std::nullopt;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->content;
  }

  void Insert(std::string_view hash, const std::string& content) {
    MutexLock lock(&mu_);
    std::string key(hash);
    if (index_.count(key) > 0) return;  // another reader got there first
    lru_.push_front(Entry{key, content});
    index_.emplace(std::move(key), lru_.begin());
    bytes_ += content.size();
    while (bytes_ > options_.capacity_bytes) EraseLocked(std::prev(lru_.end()));
  }

  void Drop(std::string_view hash) {
    MutexLock lock(&mu_);
    const auto it = index_.find(std::string(hash));
    if (it != index_.end()) EraseLocked(it->second);
  }

  void EraseLocked(Lru::iterator entry) REQUIRES(mu_) {
    bytes_ -= entry->content.size();
    index_.erase(entry->hash);
    lru_.erase(entry);
  }

  const std::unique_ptr<BlobStore> inner_;
  const BlobCacheOptions options_;
  Mutex mu_;
  Lru lru_ GUARDED_BY(mu_);
  std::unordered_map<std::string, Lru::iterator> index_ GUARDED_BY(mu_);
  size_t bytes_ GUARDED_BY(mu_) = 0;
};

}  // namespace

std::unique_ptr<BlobStore> NewCachingBlobStore(std::unique_ptr<BlobStore> inner,
                                               BlobCacheOptions options) {
  return std::make_unique<CachingBlobStore>(std::move(inner), options);
}

}  // namespace nexus::storage

// A blob store that passes every call to another, for test doubles that change one call
// (wait at a gate, run something first) and leave the rest alone. Test code only.
#ifndef NEXUS_TESTING_FORWARDING_BLOB_STORE_H_
#define NEXUS_TESTING_FORWARDING_BLOB_STORE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/blob_store.h"

namespace nexus::test {

class ForwardingBlobStore : public storage::BlobStore {
 public:
  explicit ForwardingBlobStore(storage::BlobStore& inner) : inner_(inner) {}

  StatusOr<std::string> Put(std::string_view content) override { return inner_.Put(content); }
  StatusOr<std::string> Get(std::string_view hash) override { return inner_.Get(hash); }
  StatusOr<std::string> GetRange(std::string_view hash, int64_t offset, int64_t length) override {
    return inner_.GetRange(hash, offset, length);
  }
  StatusOr<std::string> Concatenate(const std::vector<std::string>& parts) override {
    return inner_.Concatenate(parts);
  }
  StatusOr<bool> Contains(storage::Tx& tx, std::string_view hash) override {
    return inner_.Contains(tx, hash);
  }
  Status Remove(storage::Tx& tx, std::string_view hash) override { return inner_.Remove(tx, hash); }
  Status ForEach(const std::function<Status(const storage::StoredBlob&)>& fn) override {
    return inner_.ForEach(fn);
  }

 private:
  storage::BlobStore& inner_;
};

}  // namespace nexus::test

#endif  // NEXUS_TESTING_FORWARDING_BLOB_STORE_H_

#include "cli/fsck.h"

#include <cstdio>

#include "node/schema.h"
#include "storage/blob_refs.h"
#include "storage/store.h"

namespace nexus::cli {
namespace {

// Unreferenced blobs younger than this are left alone by --sweep: a write may be about to
// reference them, or a reader may still be fetching them.
constexpr int64_t kSweepGraceMicros = 3600LL * 1000000;

void PrintList(const char* what, const std::vector<std::string>& hashes) {
  for (const std::string& h : hashes) std::printf("%s %s\n", what, h.c_str());
}

}  // namespace

int RunFsck(const FsckOptions& options) {
  auto store = storage::OpenStore({.data_dir = options.data_dir,
                                   .database_url = options.database_url,
                                   .schema = node::Schema(),
                                   .durability = storage::Durability::kFull});
  if (!store.ok()) {
    std::fprintf(stderr, "nexus fsck: %s\n", store.status().ToString().c_str());
    return 2;
  }
  Status integrity = store->engine->CheckIntegrity();
  if (!integrity.ok()) std::printf("database: %s\n", integrity.ToString().c_str());
  auto report = storage::CheckBlobs(*store->engine, *store->blobs);
  if (!report.ok()) {
    std::fprintf(stderr, "nexus fsck: %s\n", report.status().ToString().c_str());
    return 2;
  }
  PrintList("missing", report->missing);
  PrintList("corrupt", report->corrupt);
  PrintList("wrong-refcount", report->wrong_refcount);
  PrintList("unrecorded", report->unrecorded);
  PrintList("orphan", report->orphans);
  if (options.sweep) {
    auto swept = storage::SweepBlobs(*store->engine, *store->blobs, kSweepGraceMicros);
    if (!swept.ok()) {
      std::fprintf(stderr, "nexus fsck: sweep: %s\n", swept.status().ToString().c_str());
      return 2;
    }
    std::printf("swept %lld blobs\n", static_cast<long long>(*swept));
  }
  const bool clean = integrity.ok() && report->ok();
  std::printf("%s\n", clean ? "ok" : "problems found");
  return clean ? 0 : 1;
}

}  // namespace nexus::cli

// What keeping content in the database costs against files on the node's own disk: Put of
// new content and Get of stored content (SHA-256 verified on both) for 1 KiB, 64 KiB and
// 1 MiB, durability full, on the local store (files under the data directory, fsynced with
// their directory) and on the database store PostgreSQL nodes share (rows of blobs and
// blob_chunks). Not a test; `make blob-bench` runs it on a throwaway PostgreSQL with its
// fsync turned back on.
//
// Without a PostgreSQL test server the database rows are skipped. The local store's files
// go to TMPDIR: leave it on disk (not tmpfs) for the fsyncs to count.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "storage/blob_store.h"
#include "testing/test_store.h"

namespace nexus::storage {
namespace {

using test::EngineKind;

// One store per kind for the whole run; null when the kind is not available.
BlobStore* StoreOf(EngineKind kind) {
  static std::map<EngineKind, test::TestStore>* stores = new std::map<EngineKind, test::TestStore>;
  auto it = stores->find(kind);
  if (it == stores->end()) it = stores->emplace(kind, test::OpenTestStore(kind)).first;
  return it->second.blobs.get();
}

// `size` bytes that no earlier call returned: the counter leads, so every Put stores anew.
std::string FreshContent(int64_t size) {
  static uint64_t counter = 0;
  std::string content(static_cast<size_t>(size), 'x');
  ++counter;
  std::memcpy(content.data(), &counter, std::min(sizeof(counter), content.size()));
  return content;
}

void BM_Put(benchmark::State& state, EngineKind kind) {
  BlobStore* store = StoreOf(kind);
  if (store == nullptr) return state.SkipWithError("no PostgreSQL test server");
  for (auto _ : state) {
    state.PauseTiming();
    const std::string content = FreshContent(state.range(0));
    state.ResumeTiming();
    if (!store->Put(content).ok()) return state.SkipWithError("Put failed");
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_Get(benchmark::State& state, EngineKind kind) {
  BlobStore* store = StoreOf(kind);
  if (store == nullptr) return state.SkipWithError("no PostgreSQL test server");
  const StatusOr<std::string> hash = store->Put(FreshContent(state.range(0)));
  if (!hash.ok()) return state.SkipWithError("Put failed");
  for (auto _ : state) {
    StatusOr<std::string> content = store->Get(*hash);
    if (!content.ok()) return state.SkipWithError("Get failed");
    benchmark::DoNotOptimize(content->data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

// 1 KiB, 64 KiB and 1 MiB (one database chunk).
void Sizes(benchmark::internal::Benchmark* b) { b->Arg(1 << 10)->Arg(64 << 10)->Arg(1 << 20); }

BENCHMARK_CAPTURE(BM_Put, local, EngineKind::kSqlite)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Put, database, EngineKind::kPostgres)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Get, local, EngineKind::kSqlite)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Get, database, EngineKind::kPostgres)->Apply(Sizes);

}  // namespace
}  // namespace nexus::storage

BENCHMARK_MAIN();

// Check latency by depth of file-parent inheritance (1, 3 and 5 parents between the file
// and the directory its reader owns), warm and cold. Not a test; run by hand:
//
//   build/release/src/rebac/rebac_bench
//   NEXUS_BENCH_PG_URL=postgresql://... build/release/src/rebac/rebac_bench   (PostgreSQL)
//
// The PostgreSQL database must be empty (`make rebac-bench` starts a throwaway one): the
// bench creates ReBAC's tables alone.
//
// The tenant holds kBackground other tuples so that a cold load does real work.
//  * Warm: the same check again: revision query + cached result.
//  * WarmUncached: a new file each time under the same directory: revision query + an
//    evaluation on the in-memory graph.
//  * Cold: caches dropped before each check (as a fresh instance): revision query, loading
//    the tenant's graph from the database, evaluation.
//  * Revision: the revision query alone, the floor of every check.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "rebac/rebac.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "testing/temp_dir.h"

namespace nexus::rebac {
namespace {

constexpr char kTenant[] = "bench";
constexpr int kBackground = 1000;

struct World {
  std::unique_ptr<test::TempDir> dir;
  std::unique_ptr<storage::Engine> engine;
  std::unique_ptr<Rebac> rebac;
};

void Must(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", s.ToString().c_str());
    std::abort();
  }
}

World& GetWorld() {
  static World* world = [] {
    auto* w = new World;
    w->dir = std::make_unique<test::TempDir>("rebac-bench");
    const char* pg = std::getenv("NEXUS_BENCH_PG_URL");
    auto engine =
        storage::OpenEngine(pg ? pg : w->dir->path() + "/nexus.db", storage::Durability::kNormal);
    Must(engine.status());
    w->engine = std::move(engine).value();
    Must(storage::Migrate(*w->engine, Schema()));
    w->rebac = std::make_unique<Rebac>(*w->engine);
    auto grant = [&](const std::string& user, const std::string& relation,
                     const std::string& path) {
      TupleWrite t;
      t.tenant_id = kTenant;
      t.subject = {"user", user};
      t.relation = relation;
      t.object = {"file", path};
      Must(w->rebac->WriteTuple(t).status());
    };
    grant("alice", "direct_owner", "/r");
    for (int i = 0; i < kBackground; ++i) {
      grant("u" + std::to_string(i % 50), "direct_viewer", "/other/" + std::to_string(i));
    }
    return w;
  }();
  return *world;
}

// A file `depth` parents below /r.
std::string PathAtDepth(int64_t depth, const std::string& leaf = "f") {
  std::string path = "/r";
  for (int64_t i = 1; i < depth; ++i) path += "/d" + std::to_string(i);
  return path + "/" + leaf;
}

void CheckOnce(benchmark::State& state, Rebac& rebac, const std::string& path) {
  auto r = rebac.Check(kTenant, {"user", "alice"}, "read", {"file", path});
  if (!r.ok() || !*r) state.SkipWithError("check failed or denied");
}

void BM_CheckWarm(benchmark::State& state) {
  World& w = GetWorld();
  const std::string path = PathAtDepth(state.range(0));
  CheckOnce(state, *w.rebac, path);
  for (auto _ : state) CheckOnce(state, *w.rebac, path);
}

void BM_CheckWarmUncached(benchmark::State& state) {
  World& w = GetWorld();
  CheckOnce(state, *w.rebac, PathAtDepth(state.range(0)));
  // Never the same file twice, across runs too: every check is a cache miss.
  static int64_t counter = 0;
  for (auto _ : state) {
    CheckOnce(state, *w.rebac, PathAtDepth(state.range(0), std::to_string(++counter)));
  }
}

void BM_CheckCold(benchmark::State& state) {
  World& w = GetWorld();
  const std::string path = PathAtDepth(state.range(0));
  for (auto _ : state) {
    w.rebac->ClearCaches();
    CheckOnce(state, *w.rebac, path);
  }
}

void BM_Revision(benchmark::State& state) {
  World& w = GetWorld();
  for (auto _ : state) benchmark::DoNotOptimize(w.rebac->CurrentRevision());
}

BENCHMARK(BM_CheckWarm)->Arg(1)->Arg(3)->Arg(5)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CheckWarmUncached)->Arg(1)->Arg(3)->Arg(5)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CheckCold)->Arg(1)->Arg(3)->Arg(5)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Revision)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace nexus::rebac

BENCHMARK_MAIN();

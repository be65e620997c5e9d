// Many threads, overlapping paths, every kind of operation at once, on both engines; then
// the store is checked for what a crash-free run must guarantee.
//
// Acknowledged writes are verified exactly on "witness" files that only writes, appends,
// reads and rollbacks touch: every version a thread was told about must exist with the
// content it was told about. The "churn" files are also renamed and deleted; for them
// (and for everything) versions must be gap-free, every version must read back with
// content matching its etag, and blob reference counts must equal the references.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "storage/blob_refs.h"
#include "testing/test_store.h"
#include "util/hash.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {
namespace {

using test::EngineKind;

constexpr int kThreads = 16;

int OpsPerThread() {
  const char* env = std::getenv("NEXUS_CONCURRENCY_OPS");
  return env ? std::atoi(env) : 10000;
}

std::string WitnessPath(int i) { return "/w/f" + std::to_string(i); }
std::string ChurnPath(int dir, int file) {
  return "/c/d" + std::to_string(dir) + "/f" + std::to_string(file);
}

// What the threads were told: witness path -> version -> etag, plus unexpected errors.
struct Ledger {
  Mutex mu;
  std::map<std::string, std::map<int64_t, std::string>> witness GUARDED_BY(mu);
  std::vector<std::string> unexpected GUARDED_BY(mu);

  void Acknowledge(const FileInfo& info) {
    if (!info.path.starts_with("/w/")) return;
    MutexLock l(&mu);
    auto [it, inserted] = witness[info.path].emplace(info.version, info.etag);
    if (!inserted) unexpected.push_back("version acknowledged twice: " + info.path);
  }
  void Check(const Status& s, const char* op) {
    const Code c = s.code();
    if (s.ok() || c == Code::kNotFound || c == Code::kConflict || c == Code::kAlreadyExists) return;
    MutexLock l(&mu);
    unexpected.push_back(std::string(op) + ": " + s.ToString());
  }
  template <typename T>
  void Record(const StatusOr<T>& r, const char* op) {
    Check(r.status(), op);
  }
};

class Worker {
 public:
  Worker(PathTree& tree, Ledger& ledger, int id)
      : tree_(tree), ledger_(ledger), id_(id), rng_(id) {}

  void Run(int ops) {
    for (int i = 0; i < ops; ++i) Step(i);
  }

 private:
  std::string AnyPath() {
    return Pick(3) == 0 ? WitnessPath(Pick(4)) : ChurnPath(Pick(3), Pick(6));
  }
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  void Acked(const StatusOr<FileInfo>& r, const char* op) {
    ledger_.Record(r, op);
    if (r.ok()) ledger_.Acknowledge(*r);
  }

  void Step(int i) {
    const Actor actor{"t" + std::to_string(id_)};
    const std::string content = "thread " + std::to_string(id_) + " op " + std::to_string(i) + "\n";
    const int dice = Pick(100);
    if (dice < 30) {
      Acked(tree_.Write(actor, AnyPath(), content), "write");
    } else if (dice < 50) {
      ledger_.Record(tree_.Read(AnyPath()), "read");
    } else if (dice < 60) {
      Acked(tree_.Append(actor, AnyPath(), content), "append");
    } else if (dice < 70) {
      ListOptions opts;
      opts.recursive = Pick(2) == 0;
      ledger_.Record(tree_.List(Pick(2) ? "/c" : "/w", opts), "list");
    } else if (dice < 78) {
      ledger_.Check(tree_.Rename(ChurnPath(Pick(3), Pick(6)), ChurnPath(Pick(3), Pick(6))),
                    "rename");
    } else if (dice < 80) {
      const std::string from = "/c/d" + std::to_string(Pick(3));
      ledger_.Check(tree_.Rename(from, "/c/d" + std::to_string(Pick(3))), "rename dir");
    } else if (dice < 90) {
      ledger_.Check(tree_.Delete(ChurnPath(Pick(3), Pick(6))), "delete");
    } else {
      Acked(tree_.Rollback(actor, AnyPath(), 1), "rollback");
    }
  }

  PathTree& tree_;
  Ledger& ledger_;
  const int id_;
  std::mt19937 rng_;
};

class ConcurrencyTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    tree_ = std::make_unique<PathTree>(*store_.engine, *store_.blobs);
  }

  // Every file: versions 1..current, each readable with content matching its etag.
  void CheckEveryFile() {
    ListOptions all;
    all.recursive = true;
    auto page = tree_->List("/", all);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const FileInfo& f : page->entries) {
      if (f.is_directory) continue;
      auto versions = tree_->ListVersions(f.path);
      ASSERT_TRUE(versions.ok()) << versions.status().ToString();
      ASSERT_EQ(static_cast<int64_t>(versions->size()), f.version) << f.path << " has gaps";
      for (size_t k = 0; k < versions->size(); ++k) {
        const VersionInfo& v = (*versions)[k];
        ASSERT_EQ(v.version, f.version - static_cast<int64_t>(k)) << f.path;
        auto content = tree_->Read(f.path, v.version);
        ASSERT_TRUE(content.ok()) << f.path << "@" << v.version << ": "
                                  << content.status().ToString();
        ASSERT_EQ(Sha256Hex(content->content), v.etag) << f.path << "@" << v.version;
      }
    }
  }

  void CheckWitnesses(const Ledger& ledger) REQUIRES(ledger.mu) {
    for (const auto& [path, acked] : ledger.witness) {
      auto versions = tree_->ListVersions(path);
      ASSERT_TRUE(versions.ok()) << path << ": " << versions.status().ToString();
      std::map<int64_t, std::string> stored;
      for (const VersionInfo& v : *versions) stored[v.version] = v.etag;
      for (const auto& [version, etag] : acked) {
        ASSERT_TRUE(stored.contains(version)) << path << " lost acknowledged version " << version;
        EXPECT_EQ(stored[version], etag) << path << "@" << version;
      }
    }
  }

  test::TestStore store_;
  std::unique_ptr<PathTree> tree_;
};

TEST_P(ConcurrencyTest, MixedOperationsOnOverlappingPaths) {
  Ledger ledger;
  const int ops = OpsPerThread();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { Worker(*tree_, ledger, t).Run(ops); });
  }
  for (auto& t : threads) t.join();

  MutexLock lock(&ledger.mu);  // the workers are done; the lock is for the analysis
  ASSERT_TRUE(ledger.unexpected.empty())
      << ledger.unexpected.size() << " unexpected errors, first: " << ledger.unexpected.front();
  ASSERT_FALSE(ledger.witness.empty());
  EXPECT_TRUE(store_.engine->CheckIntegrity().ok());
  CheckEveryFile();
  CheckWitnesses(ledger);
  auto report = storage::CheckBlobs(*store_.engine, *store_.blobs);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->missing.empty());
  EXPECT_TRUE(report->corrupt.empty());
  EXPECT_TRUE(report->wrong_refcount.empty()) << report->wrong_refcount.size() << " wrong counts";
}

TEST_P(ConcurrencyTest, ReadOnlyWorkloadCommitsNothing) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        tree_->Write(Actor{"seed"}, "/r/d" + std::to_string(i % 4) + "/f" + std::to_string(i), "x")
            .ok());
  }
  const storage::EngineStats before = store_.engine->Stats();
  constexpr int kReaders = 4;
  const int per_reader = 100000 / kReaders;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kReaders; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_reader; ++i) {
        const std::string path =
            "/r/d" + std::to_string(i % 4) + "/f" + std::to_string((i + t) % 20);
        Status s;
        switch (i % 5) {
          case 0:
            s = tree_->Read(path).status();
            break;
          case 1:
            s = tree_->Stat(path).status();
            break;
          case 2:
            s = tree_->Exists(path).status();
            break;
          case 3:
            s = tree_->List("/r/d" + std::to_string(i % 4)).status();
            break;
          default:
            s = tree_->ListVersions(path).status();
            break;
        }
        // Paths that do not exist are fine; anything else is a failure.
        if (!s.ok() && s.code() != Code::kNotFound) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  const storage::EngineStats after = store_.engine->Stats();
  EXPECT_EQ(after.commits, before.commits);
  EXPECT_EQ(after.write_units, before.write_units);
  EXPECT_EQ(after.failed_units, before.failed_units);
  EXPECT_GE(after.read_units - before.read_units, 100000);
}

INSTANTIATE_TEST_SUITE_P(Engines, ConcurrencyTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::vfs

// sqlite_commit_bench: the disk's commit ceiling for `make bench`. One writer commits one
// single-row INSERT per transaction for N seconds, with the pragmas the server's SQLite engine
// uses under `--durability full` (src/storage/sqlite_engine.cc), on a fresh database in a
// temporary directory. Prints the line tools/bench.sh parses:
//   BENCH requests=<commits> duration_us=<d> p50_us=<p> p99_us=<p> errors=<n>
//
// Usage: sqlite_commit_bench <seconds> [<directory for the temporary database>]

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

bool Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) == SQLITE_OK) return true;
  std::fprintf(stderr, "sqlite_commit_bench: %s: %s\n", sql, error ? error : "?");
  sqlite3_free(error);
  return false;
}

// The server's writer commits each group as BEGIN IMMEDIATE ... COMMIT; one row per
// transaction here, so every commit pays the full fsync cost.
bool CommitOneRow(sqlite3* db, sqlite3_stmt* insert, int64_t n) {
  if (!Exec(db, "BEGIN IMMEDIATE")) return false;
  sqlite3_bind_int64(insert, 1, n);
  const bool inserted = sqlite3_step(insert) == SQLITE_DONE;
  sqlite3_reset(insert);
  return Exec(db, inserted ? "COMMIT" : "ROLLBACK") && inserted;
}

int64_t Percentile(std::vector<int64_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  const size_t i = static_cast<size_t>(p * static_cast<double>(sorted_us.size() - 1));
  return sorted_us[i];
}

int Run(const std::string& path, double seconds) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_commit_bench: cannot open %s\n", path.c_str());
    sqlite3_close(db);
    return 1;
  }
  sqlite3_stmt* insert = nullptr;
  const bool ready = Exec(db, "PRAGMA journal_mode=WAL") && Exec(db, "PRAGMA synchronous=FULL") &&
                     Exec(db, "PRAGMA foreign_keys=ON") &&
                     Exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)") &&
                     sqlite3_prepare_v2(db, "INSERT INTO t (id, v) VALUES (?, 'bench')", -1,
                                        &insert, nullptr) == SQLITE_OK;
  std::vector<int64_t> latencies_us;
  int64_t errors = 0;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int64_t n = 0; ready && Clock::now() < end; ++n) {
    const Clock::time_point t0 = Clock::now();
    if (!CommitOneRow(db, insert, n)) ++errors;
    latencies_us.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
  }
  const int64_t elapsed_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  if (!ready) return 1;
  std::sort(latencies_us.begin(), latencies_us.end());
  std::printf("BENCH requests=%zu duration_us=%lld p50_us=%lld p99_us=%lld errors=%lld\n",
              latencies_us.size(), static_cast<long long>(elapsed_us),
              static_cast<long long>(Percentile(latencies_us, 0.50)),
              static_cast<long long>(Percentile(latencies_us, 0.99)),
              static_cast<long long>(errors));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 0;
  if (argc < 2 || argc > 3 || seconds <= 0) {
    std::fprintf(stderr, "usage: %s <seconds> [<directory>]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path parent =
      argc == 3 ? std::filesystem::path(argv[2]) : std::filesystem::temp_directory_path();
  std::string dir = (parent / "sqlite-commit.XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror("sqlite_commit_bench: mkdtemp");
    return 1;
  }
  const int status = Run(dir + "/commit.db", seconds);
  std::filesystem::remove_all(dir);
  return status;
}

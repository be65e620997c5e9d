// The crash test (DESIGN.md §7): writers journal every acknowledged write while the server
// is SIGKILLed at a random moment; the restarted server must hold every acknowledged write
// with its exact content and version, its store must pass the database's own integrity
// check and `nexus fsck` (no blob referenced without existing). Repeated for N cycles:
// NEXUS_CRASH_CYCLES_SQLITE and NEXUS_CRASH_CYCLES_POSTGRES (`make crash-test` sets 50 and
// 20; the short default is part of `make test`). NEXUS_CRASH_SEED repeats a run's timings.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "stress/journal.h"
#include "stress/runner.h"
#include "stress/verify.h"
#include "testing/postgres.h"
#include "testing/server_process.h"
#include "testing/temp_dir.h"

namespace nexus::stress {
namespace {

constexpr char kAdminKey[] = "sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
constexpr int kWriters = 8;

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

// Runs a shell command; its exit status and what it printed on stdout.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string Quoted(const std::string& s) { return "'" + s + "'"; }

class CrashTest : public ::testing::Test {
 protected:
  // SQLite with `durability: full`, or PostgreSQL at `database_url`.
  void RunCycles(int cycles, const std::string& database_url) {
    database_url_ = database_url;
    const uint64_t seed = static_cast<uint64_t>(
        EnvInt("NEXUS_CRASH_SEED", static_cast<int>(std::random_device()() & 0x7fffffff)));
    std::printf("crash test: %d cycles, NEXUS_CRASH_SEED=%llu\n", cycles,
                static_cast<unsigned long long>(seed));
    std::mt19937_64 rng(seed);
    StatusOr<std::unique_ptr<JournalWriter>> journal = JournalWriter::Open(JournalPath());
    ASSERT_TRUE(journal.ok()) << journal.status().message();
    size_t verified = 0;  // journal entries checked after an earlier restart
    for (int cycle = 0; cycle < cycles; ++cycle) {
      SCOPED_TRACE("cycle " + std::to_string(cycle));
      ASSERT_NO_FATAL_FAILURE(Start());
      const auto delay =
          std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 1500)(rng));
      WriteThenKill(journal->get(), seed + static_cast<uint64_t>(cycle) * 1000, delay);
      ASSERT_NO_FATAL_FAILURE(Start());
      ASSERT_NO_FATAL_FAILURE(VerifySince(verified, cycle + 1 == cycles));
      ASSERT_EQ(server_->Stop(), 0) << "the restarted server did not stop cleanly";
      server_.reset();
      ASSERT_NO_FATAL_FAILURE(CheckStore());
    }
  }

 private:
  std::string JournalPath() const { return dir_.path() + "/journal.jsonl"; }
  std::string DataDir() const { return dir_.path() + "/data"; }

  void Start() {
    std::vector<std::string> args = {"--data-dir", DataDir(), "--durability", "full"};
    if (!database_url_.empty()) args.insert(args.end(), {"--database-url", database_url_});
    server_ = std::make_unique<test::ServerProcess>(NEXUS_BINARY, args, kAdminKey);
    ASSERT_TRUE(server_->started()) << "restart failed:\n" << server_->output();
    config_.url = "http://127.0.0.1:" + std::to_string(server_->port());
    config_.api_key = kAdminKey;
    config_.timeout = std::chrono::seconds(30);
  }

  // Writers run until the server dies under them, `delay` after they started.
  void WriteThenKill(JournalWriter* journal, uint64_t seed, std::chrono::milliseconds delay) {
    StatusOr<Mix> mix = Mix::Parse("writes=1");
    StatusOr<Fixtures> fixtures = Prepare(config_, *mix);
    EXPECT_TRUE(fixtures.ok()) << fixtures.status().message();
    if (!fixtures.ok()) return;
    std::atomic<bool> stop{false};
    RunOptions options;
    options.client = config_;
    options.clients = kWriters;
    options.duration = std::chrono::minutes(10);
    options.seed = seed;
    options.journal = journal;
    options.stop = &stop;
    RunResult result;
    std::thread writers([&] { result = RunClients(options, *mix, *fixtures); });
    std::this_thread::sleep_for(delay);
    server_.reset();  // SIGKILL, then reaped
    stop = true;
    writers.join();
    // Calls cut by the kill fail in transport; nothing may fail otherwise.
    EXPECT_EQ(result.stats.server_errors(), 0);
    EXPECT_EQ(result.stats.unexpected(), 0);
    if (result.stats.unexpected() != 0) result.stats.Print(stderr, result.seconds);
  }

  // The entries journaled since the last restart, and the newest of every path, must be on
  // the restarted server; the last cycle checks every entry.
  void VerifySince(size_t& verified, bool everything) {
    StatusOr<std::vector<JournalEntry>> entries = ReadJournal(JournalPath());
    ASSERT_TRUE(entries.ok()) << entries.status().message();
    ASSERT_GT(entries->size(), verified) << "no write was acknowledged before the kill";
    std::vector<JournalEntry> check = LatestPerPath(*entries);
    const size_t from = everything ? 0 : verified;
    check.insert(check.end(), entries->begin() + static_cast<std::ptrdiff_t>(from), entries->end());
    const VerifyReport report = VerifyJournal(config_, check, kWriters);
    EXPECT_TRUE(report.ok()) << report.Summary();
    if (everything) std::printf("crash test: %s\n", report.Summary().c_str());
    verified = entries->size();
  }

  void CheckStore() {
    if (database_url_.empty()) {
      const auto [status, out] =
          Shell("sqlite3 " + Quoted(DataDir() + "/nexus.db") + " 'PRAGMA integrity_check'");
      EXPECT_EQ(out, "ok\n") << "integrity_check exit " << status;
    } else {
      // Every btree index and every table of the test's schema; amcheck raises on corruption.
      const std::string sql =
          "SET client_min_messages = warning;"
          "CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA public;"
          "SELECT count(public.bt_index_check(c.oid, true)) FROM pg_index i "
          "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
          "WHERE a.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace;"
          "SELECT count(*) FROM pg_class c, public.verify_heapam(c.oid) "
          "WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace;";
      const std::string file = dir_.path() + "/amcheck.sql";
      ASSERT_TRUE(std::ofstream(file) << sql);
      const auto [status, out] = Shell("psql -X -q -t -A -v ON_ERROR_STOP=1 " +
                                       Quoted(database_url_) + " -f " + Quoted(file) + " 2>&1");
      ASSERT_EQ(status, 0) << out;
      const size_t newline = out.find('\n');
      ASSERT_NE(newline, std::string::npos) << out;
      EXPECT_GT(std::atoi(out.c_str()), 0) << "no index was checked: " << out;
      EXPECT_EQ(out.substr(newline + 1), "0\n") << "heap corruption rows: " << out;
    }
    std::string fsck = std::string(NEXUS_BINARY) + " fsck --data-dir " + Quoted(DataDir());
    if (!database_url_.empty()) fsck += " --database-url " + Quoted(database_url_);
    const auto [status, out] = Shell(fsck + " 2>&1");
    EXPECT_EQ(status, 0) << out;
  }

  test::TempDir dir_;
  std::string database_url_;
  ClientConfig config_;
  std::unique_ptr<test::ServerProcess> server_;
};

TEST_F(CrashTest, SqliteDurabilityFull) { RunCycles(EnvInt("NEXUS_CRASH_CYCLES_SQLITE", 5), ""); }

TEST_F(CrashTest, Postgres) {
  NEXUS_PG_URL_OR_SKIP(url);
  RunCycles(EnvInt("NEXUS_CRASH_CYCLES_POSTGRES", 3), url);
}

}  // namespace
}  // namespace nexus::stress

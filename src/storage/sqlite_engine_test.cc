// Properties of the SQLite engine beyond the shared contract: the settings it runs with,
// the directory lock, group commit, and what it leaves on disk.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>
#include <vector>

#include "storage/engine.h"
#include "testing/temp_dir.h"

namespace nexus::storage {
namespace {

std::string Pragma(Engine& engine, const std::string& name, bool on_writer) {
  std::string value;
  const Unit unit = [&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows, tx.Query("PRAGMA " + name));
    value = rows.at(0).Text(0);
    return Status::OK();
  };
  Status s = on_writer ? engine.Write(unit) : engine.Read(unit);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return value;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

class SqliteEngineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> Open(Durability durability = Durability::kFull) {
    SqliteOptions options;
    options.path = db_path_;
    options.durability = durability;
    auto engine = OpenSqlite(options);
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return engine.ok() ? std::move(engine).value() : nullptr;
  }

  test::TempDir dir_;
  const std::string db_path_ = dir_.path() + "/nexus.db";
};

TEST_F(SqliteEngineTest, RunsInWalModeWithForeignKeys) {
  auto engine = Open();
  EXPECT_EQ(Pragma(*engine, "journal_mode", /*on_writer=*/true), "wal");
  EXPECT_EQ(Pragma(*engine, "journal_mode", /*on_writer=*/false), "wal");
  EXPECT_EQ(Pragma(*engine, "foreign_keys", /*on_writer=*/true), "1");
  EXPECT_EQ(Pragma(*engine, "synchronous", /*on_writer=*/true), "2");  // FULL
}

TEST_F(SqliteEngineTest, NormalDurabilityUsesSynchronousNormal) {
  auto engine = Open(Durability::kNormal);
  EXPECT_EQ(Pragma(*engine, "synchronous", /*on_writer=*/true), "1");
}

TEST_F(SqliteEngineTest, ForeignKeysAreEnforced) {
  auto engine = Open();
  ASSERT_TRUE(engine
                  ->Write([](Tx& tx) {
                    return tx.ExecScript(
                        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE child (parent_id INTEGER NOT NULL REFERENCES parent(id))");
                  })
                  .ok());
  Status s = engine->Write(
      [](Tx& tx) { return tx.Exec("INSERT INTO child (parent_id) VALUES (12345)").status(); });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("FOREIGN KEY"), std::string::npos) << s.ToString();
}

TEST_F(SqliteEngineTest, SecondOpenOfTheDirectoryIsRefusedAndFirstKeepsWorking) {
  auto first = Open();
  SqliteOptions options;
  options.path = db_path_;
  auto second = OpenSqlite(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kInUse);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
  EXPECT_TRUE(first->Write([](Tx& tx) { return tx.ExecScript("CREATE TABLE t (x)"); }).ok());
  EXPECT_TRUE(first->CheckIntegrity().ok());
}

TEST_F(SqliteEngineTest, LockIsReleasedOnClose) {
  Open().reset();
  EXPECT_NE(Open(), nullptr);
}

TEST_F(SqliteEngineTest, ConcurrentUnitsShareCommits) {
  auto engine = Open();
  ASSERT_TRUE(
      engine->Write([](Tx& tx) { return tx.ExecScript("CREATE TABLE t (x INTEGER)"); }).ok());
  const EngineStats before = engine->Stats();
  constexpr int kThreads = 32, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE(engine
                        ->Write([&](Tx& tx) {
                          return tx.Exec("INSERT INTO t VALUES (?)", {int64_t{i}}).status();
                        })
                        .ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  const EngineStats after = engine->Stats();
  EXPECT_EQ(after.write_units - before.write_units, kThreads * kPerThread);
  // Units queued while a group commits go into the next group together.
  EXPECT_LT(after.commits - before.commits, after.write_units - before.write_units);
}

TEST_F(SqliteEngineTest, WalAndShmAreLeftToSqlite) {
  auto engine = Open();
  ASSERT_TRUE(engine->Write([](Tx& tx) { return tx.ExecScript("CREATE TABLE t (x)"); }).ok());
  EXPECT_TRUE(FileExists(db_path_ + "-wal"));
  EXPECT_TRUE(FileExists(db_path_ + "-shm"));
  engine.reset();
  auto reopened = Open();
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(reopened->CheckIntegrity().ok());
  EXPECT_TRUE(reopened->Read([](Tx& tx) { return tx.Query("SELECT x FROM t").status(); }).ok());
}

TEST_F(SqliteEngineTest, UnwritableLocationIsAClearError) {
  SqliteOptions options;
  options.path = "/proc/nexus-cannot-be-here/nexus.db";
  auto engine = OpenSqlite(options);
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("/proc/nexus-cannot-be-here"), std::string::npos)
      << engine.status().ToString();
}

TEST_F(SqliteEngineTest, NotADatabaseIsAClearError) {
  {
    FILE* f = std::fopen(db_path_.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not a database file, just some text that is long enough to matter....", f);
    std::fclose(f);
  }
  SqliteOptions options;
  options.path = db_path_;
  auto engine = OpenSqlite(options);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), Code::kIOError) << engine.status().ToString();
}

}  // namespace
}  // namespace nexus::storage

// The storage engine contract, run against SQLite and PostgreSQL alike.
#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "storage/engine.h"
#include "testing/test_store.h"

namespace nexus::storage {
namespace {

using test::EngineKind;

class EngineConformance : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    ASSERT_TRUE(engine()
                    .Write([](Tx& tx) {
                      return tx.ExecScript(
                          "CREATE TABLE kv (k TEXT PRIMARY KEY, n BIGINT, r DOUBLE PRECISION,"
                          " t TEXT, b " +
                          std::string(tx.dialect() == Dialect::kSqlite ? "BLOB" : "BYTEA") + ")");
                    })
                    .ok());
  }

  Engine& engine() { return *store_.engine; }

  Status Put(const std::string& k, int64_t n) {
    return engine().Write([&](Tx& tx) {
      return tx.Exec("INSERT INTO kv (k, n) VALUES (?, ?)", {k, n}).status();
    });
  }

  StatusOr<int64_t> Count() {
    int64_t n = -1;
    Status s = engine().Read([&](Tx& tx) -> Status {
      ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT COUNT(*) FROM kv"));
      n = rows.at(0).Int(0);
      return Status::OK();
    });
    if (!s.ok()) return s;
    return n;
  }

  test::TestStore store_;
};

TEST_P(EngineConformance, WriteIsVisibleToLaterReads) {
  ASSERT_TRUE(Put("a", 1).ok());
  ASSERT_TRUE(Put("b", 2).ok());
  EXPECT_EQ(*Count(), 2);
}

TEST_P(EngineConformance, ValuesRoundTrip) {
  const std::string binary("\0\x01\xff bytes\0", 10);
  const std::string text = "héllo wörld ✓";
  const int64_t big = std::numeric_limits<int64_t>::max();
  const int64_t small = std::numeric_limits<int64_t>::min();
  ASSERT_TRUE(
      engine()
          .Write([&](Tx& tx) -> Status {
            RETURN_IF_ERROR(tx.Exec("INSERT INTO kv (k, n, r, t, b) VALUES (?, ?, ?, ?, ?)",
                                    {std::string("x"), big, 2.5, text, Bytes{binary}})
                                .status());
            return tx
                .Exec("INSERT INTO kv (k, n, r, t, b) VALUES (?, ?, ?, ?, ?)",
                      {std::string("y"), small, Null(), Null(), Bytes{std::string(1 << 20, 'z')}})
                .status();
          })
          .ok());
  Rows rows;
  ASSERT_TRUE(engine()
                  .Read([&](Tx& tx) -> Status {
                    ASSIGN_OR_RETURN(rows, tx.Query("SELECT n, r, t, b FROM kv ORDER BY k"));
                    return Status::OK();
                  })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Int(0), big);
  EXPECT_DOUBLE_EQ(rows[0].Real(1), 2.5);
  EXPECT_EQ(rows[0].Text(2), text);
  EXPECT_EQ(rows[0].Text(3), binary);
  EXPECT_EQ(rows[1].Int(0), small);
  EXPECT_TRUE(rows[1].IsNull(1));
  EXPECT_TRUE(rows[1].IsNull(2));
  EXPECT_EQ(rows[1].Text(3).size(), size_t{1} << 20);
}

TEST_P(EngineConformance, FailedUnitLeavesNothingBehind) {
  Status s = engine().Write([](Tx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec("INSERT INTO kv (k, n) VALUES ('gone', 1)").status());
    return NotFound("changed my mind");
  });
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(*Count(), 0);
}

// What a caller learns of whether its call changed anything durable (the dispatcher's test
// before it answers "try again"): only committed units that changed rows count.
TEST_P(EngineConformance, OnlyCommittedUnitsThatChangedRowsAreCounted) {
  const int64_t before = WriteUnitsCommittedByThisThread();
  ASSERT_TRUE(
      engine().Write([](Tx& tx) { return tx.Query("SELECT COUNT(*) FROM kv").status(); }).ok());
  ASSERT_TRUE(
      engine()
          .Write([](Tx& tx) { return tx.Exec("UPDATE kv SET n = 2 WHERE k = 'nobody'").status(); })
          .ok());
  EXPECT_EQ(WriteUnitsCommittedByThisThread(), before) << "a write unit that changed no row";
  EXPECT_EQ(engine()
                .Write([](Tx& tx) -> Status {
                  RETURN_IF_ERROR(tx.Exec("INSERT INTO kv (k, n) VALUES ('gone', 1)").status());
                  return NotFound("changed my mind");
                })
                .code(),
            Code::kNotFound);
  EXPECT_EQ(WriteUnitsCommittedByThisThread(), before) << "a unit rolled back";
  ASSERT_TRUE(Put("kept", 1).ok());
  EXPECT_EQ(WriteUnitsCommittedByThisThread(), before + 1);
}

TEST_P(EngineConformance, AUnitThatThrowsFailsWithInternalAndIsRolledBack) {
  // More rounds than the pool has connections, so each of them meets a throwing unit.
  for (int i = 0; i < 20; ++i) {
    Status write = engine().Write([](Tx& tx) -> Status {
      RETURN_IF_ERROR(tx.Exec("INSERT INTO kv (k, n) VALUES ('gone', 1)").status());
      throw std::runtime_error("a bug in the unit");
    });
    EXPECT_EQ(write.code(), Code::kInternal) << write.ToString();
    EXPECT_NE(write.message().find("a bug in the unit"), std::string::npos) << write.ToString();
    Status read = engine().Read([](Tx& tx) -> Status {
      RETURN_IF_ERROR(tx.Query("SELECT COUNT(*) FROM kv").status());
      throw std::runtime_error("a row no code expected");
    });
    EXPECT_EQ(read.code(), Code::kInternal) << read.ToString();
  }
  EXPECT_EQ(*Count(), 0) << "every throwing write was rolled back";
  ASSERT_TRUE(Put("after", 1).ok()) << "the engine keeps working";
  EXPECT_EQ(*Count(), 1);
}

TEST_P(EngineConformance, UniqueViolationIsAlreadyExists) {
  ASSERT_TRUE(Put("a", 1).ok());
  EXPECT_EQ(Put("a", 2).code(), Code::kAlreadyExists);
  EXPECT_EQ(*Count(), 1);
}

TEST_P(EngineConformance, SqlErrorIsReportedNotThrown) {
  Status s = engine().Write(
      [](Tx& tx) { return tx.Exec("INSERT INTO no_such_table VALUES (1)").status(); });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no_such_table"), std::string::npos) << s.ToString();
  EXPECT_TRUE(Put("after", 1).ok()) << "the engine keeps working after an error";
}

TEST_P(EngineConformance, ReadUnitCannotWrite) {
  Status s = engine().Read(
      [](Tx& tx) { return tx.Exec("INSERT INTO kv (k, n) VALUES ('x', 1)").status(); });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(*Count(), 0);
}

TEST_P(EngineConformance, ReadUnitSeesOneSnapshot) {
  ASSERT_TRUE(Put("a", 1).ok());
  int64_t first = -1, second = -1;
  Status s = engine().Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows before, tx.Query("SELECT COUNT(*) FROM kv"));
    first = before.at(0).Int(0);
    // A write that commits, on another connection, between the unit's two statements.
    std::thread writer([&] { EXPECT_TRUE(Put("b", 2).ok()); });
    writer.join();
    ASSIGN_OR_RETURN(Rows after, tx.Query("SELECT COUNT(*) FROM kv"));
    second = after.at(0).Int(0);
    return Status::OK();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
  EXPECT_EQ(*Count(), 2);
}

TEST_P(EngineConformance, ReadUnitWithoutStatementsSucceeds) {
  EXPECT_TRUE(engine().Read([](Tx&) { return Status::OK(); }).ok());
  EXPECT_EQ(engine().Read([](Tx&) { return NotFound("nothing"); }).code(), Code::kNotFound);
  EXPECT_EQ(*Count(), 0);
}

TEST_P(EngineConformance, ReadsCommitNothing) {
  ASSERT_TRUE(Put("a", 1).ok());
  const EngineStats before = engine().Stats();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(*Count(), 1);
  const EngineStats after = engine().Stats();
  EXPECT_EQ(after.commits, before.commits);
  EXPECT_EQ(after.write_units, before.write_units);
  EXPECT_EQ(after.read_units, before.read_units + 1000);
}

TEST_P(EngineConformance, OneFailingUnitAmongConcurrentOnesFailsAlone) {
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  std::vector<Status> results(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = engine().Write([&](Tx& tx) -> Status {
        RETURN_IF_ERROR(
            tx.Exec("INSERT INTO kv (k, n) VALUES (?, ?)", {"k" + std::to_string(i), int64_t{i}})
                .status());
        return i == 7 ? Internal("unit 7 fails") : Status::OK();
      });
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(results[i].ok(), i != 7) << i;
  EXPECT_EQ(*Count(), kThreads - 1);
}

TEST_P(EngineConformance, ConcurrentReadModifyWriteLosesNoUpdate) {
  ASSERT_TRUE(Put("counter", 0).ok());
  constexpr int kThreads = 8, kIncrements = 100;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        Status s = engine().Write([](Tx& tx) -> Status {
          ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT n FROM kv WHERE k = 'counter'"));
          return tx.Exec("UPDATE kv SET n = ? WHERE k = 'counter'", {rows.at(0).Int(0) + 1})
              .status();
        });
        if (!s.ok()) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  int64_t n = 0;
  ASSERT_TRUE(engine()
                  .Read([&](Tx& tx) -> Status {
                    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT n FROM kv WHERE k = 'counter'"));
                    n = rows.at(0).Int(0);
                    return Status::OK();
                  })
                  .ok());
  EXPECT_EQ(n, kThreads * kIncrements);
}

TEST_P(EngineConformance, IntegrityCheckPasses) { EXPECT_TRUE(engine().CheckIntegrity().ok()); }

INSTANTIATE_TEST_SUITE_P(Engines, EngineConformance,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::storage

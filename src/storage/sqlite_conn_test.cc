#include "storage/sqlite_conn.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/temp_dir.h"

namespace nexus::storage {
namespace {

class SqliteConnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = SqliteConn::Open(dir_.path() + "/conn.db", /*read_only=*/false, 1000);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
    ASSERT_TRUE(conn_->ExecScript("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1)").ok());
  }

  // Runs `SELECT n + i FROM t`, a distinct text for each i.
  void ExpectSum(int i) {
    StatusOr<Rows> rows = conn_->Query("SELECT n + " + std::to_string(i) + " FROM t");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(rows->at(0).Int(0), 1 + i);
  }

  test::TempDir dir_;
  std::unique_ptr<SqliteConn> conn_;
};

TEST_F(SqliteConnTest, MoreDistinctStatementsThanTheCacheHoldsStillRun) {
  const int n = static_cast<int>(SqliteConn::kMaxStatements) + 50;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < n; ++i) ExpectSum(i);
  }
}

TEST_F(SqliteConnTest, CachedTransactionControlStatementsRunAgainAndAgain) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(conn_->Exec("BEGIN IMMEDIATE").ok());
    ASSERT_TRUE(conn_->Exec("SAVEPOINT unit").ok());
    ASSERT_TRUE(conn_->Exec("INSERT INTO t VALUES (?)", {int64_t{2}}).ok());
    ASSERT_TRUE(conn_->Exec("ROLLBACK TO unit").ok());
    ASSERT_TRUE(conn_->Exec("RELEASE unit").ok());
    EXPECT_FALSE(conn_->InAutocommit());
    ASSERT_TRUE(conn_->Exec(i == 1 ? "ROLLBACK" : "COMMIT").ok());
    EXPECT_TRUE(conn_->InAutocommit());
  }
  StatusOr<Rows> rows = conn_->Query("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->at(0).Int(0), 1);
}

TEST_F(SqliteConnTest, CachedStatementFollowsASchemaChange) {
  StatusOr<Rows> rows = conn_->Query("SELECT * FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->at(0).size(), 1u);
  ASSERT_TRUE(conn_->ExecScript("ALTER TABLE t ADD COLUMN m TEXT").ok());
  rows = conn_->Query("SELECT * FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->at(0).size(), 2u);
}

TEST_F(SqliteConnTest, FailedStatementLeavesTheCacheUsable) {
  EXPECT_FALSE(conn_->Query("SELECT * FROM no_such_table").ok());
  ASSERT_TRUE(conn_->Exec("BEGIN").ok());
  EXPECT_EQ(conn_->Exec("INSERT INTO t VALUES ('x', 1)").status().code(), Code::kInternal);
  ASSERT_TRUE(conn_->Exec("COMMIT").ok());
  ExpectSum(0);
}

}  // namespace
}  // namespace nexus::storage

// Tests of what is particular to the PostgreSQL engine: SQL translation, type mapping,
// transactions, retries and errors. The behaviour both engines share is in
// engine_conformance_test.cc.
#include <gtest/gtest.h>

#include <barrier>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/engine.h"
#include "storage/postgres_sql.h"
#include "testing/postgres.h"
#include "util/fault_injection.h"

namespace nexus::storage {
namespace {

std::string Rewrite(std::string_view sql) {
  StatusOr<PgSql> r = RewritePlaceholders(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->text : "";
}

TEST(PostgresSqlTest, NumbersPlaceholdersInOrder) {
  StatusOr<PgSql> r = RewritePlaceholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
  EXPECT_EQ(r->params, 3);
  EXPECT_EQ(RewritePlaceholders("SELECT 1")->params, 0);
}

TEST(PostgresSqlTest, NumberedPlaceholdersFollowSqlite) {
  // SQLite: ?NNN is parameter NNN; a bare ? is one past the highest so far.
  StatusOr<PgSql> r = RewritePlaceholders("SELECT ?2, ?, ?1, ?");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "SELECT $2, $3, $1, $4");
  EXPECT_EQ(r->params, 4);
  EXPECT_EQ(RewritePlaceholders("SELECT ?0").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(RewritePlaceholders("SELECT ?65536").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(RewritePlaceholders("SELECT ?99999999999").status().code(), Code::kInvalidArgument);
}

TEST(PostgresSqlTest, LeavesQuotedQuestionMarksAlone) {
  EXPECT_EQ(Rewrite("SELECT '?', ? FROM t"), "SELECT '?', $1 FROM t");
  EXPECT_EQ(Rewrite("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
  EXPECT_EQ(Rewrite("SELECT \"a?b\", \"x\"\"?\" FROM t WHERE c = ?"),
            "SELECT \"a?b\", \"x\"\"?\" FROM t WHERE c = $1");
  EXPECT_EQ(Rewrite("SELECT E'\\'?', ?"), "SELECT E'\\'?', $1");
  EXPECT_EQ(Rewrite("SELECT e'a\\\\', ?"), "SELECT e'a\\\\', $1");
  // Backslash is not an escape in a standard string.
  EXPECT_EQ(Rewrite("SELECT 'a\\', ?"), "SELECT 'a\\', $1");
  EXPECT_EQ(Rewrite("SELECT $$?$$, $tag$ $$ ? $tag$, ?"), "SELECT $$?$$, $tag$ $$ ? $tag$, $1");
  EXPECT_EQ(Rewrite("SELECT a$b, ?"), "SELECT a$b, $1");
}

TEST(PostgresSqlTest, LeavesCommentsAlone) {
  EXPECT_EQ(Rewrite("SELECT ? -- why?\n, ?"), "SELECT $1 -- why?\n, $2");
  EXPECT_EQ(Rewrite("SELECT /* ? /* ? */ ? */ ?"), "SELECT /* ? /* ? */ ? */ $1");
  EXPECT_EQ(Rewrite("SELECT 1 -- ?"), "SELECT 1 -- ?");
}

TEST(PostgresSqlTest, UnterminatedTokensDoNotCrash) {
  EXPECT_EQ(Rewrite("SELECT '?"), "SELECT '?");
  EXPECT_EQ(Rewrite("SELECT \"?"), "SELECT \"?");
  EXPECT_EQ(Rewrite("SELECT /* ?"), "SELECT /* ?");
  EXPECT_EQ(Rewrite("SELECT $x$ ?"), "SELECT $x$ ?");
  EXPECT_EQ(Rewrite("SELECT E'\\"), "SELECT E'\\");
  EXPECT_EQ(Rewrite("?"), "$1");
  EXPECT_EQ(Rewrite(""), "");
}

TEST(PostgresEngineOpenTest, NoServerIsIOError) {
  PostgresOptions options;
  options.url = "postgresql://nobody@/nexus?host=/nonexistent-nexus-dir&port=1";
  StatusOr<std::unique_ptr<Engine>> engine = OpenPostgres(options);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), Code::kIOError);
  EXPECT_NE(engine.status().message().find("/nonexistent-nexus-dir"), std::string::npos)
      << engine.status().ToString();
}

TEST(PostgresEngineOpenTest, MalformedUrlIsIOError) {
  PostgresOptions options;
  options.url = "postgresql://host:notaport/db";
  StatusOr<std::unique_ptr<Engine>> engine = OpenPostgres(options);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), Code::kIOError);
  EXPECT_NE(engine.status().message().find("notaport"), std::string::npos)
      << engine.status().ToString();
}

TEST(PostgresEngineOpenTest, ErrorsDoNotShowPasswords) {
  for (std::string url :
       {"postgresql://user:s3cret@[::1/db", "postgresql://[::1/db?password=s3cret"}) {
    PostgresOptions options;
    options.url = url;
    StatusOr<std::unique_ptr<Engine>> engine = OpenPostgres(options);
    ASSERT_FALSE(engine.ok());
    EXPECT_EQ(engine.status().code(), Code::kIOError);
    EXPECT_EQ(engine.status().message().find("s3cret"), std::string::npos)
        << engine.status().ToString();
  }
}

// A fixture with an engine on a fresh schema and a table `t`.
class PostgresEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NEXUS_PG_URL_OR_SKIP(url);
    url_ = url;
    engine_ = Open(4);
    ASSERT_NE(engine_, nullptr);
  }

  std::unique_ptr<Engine> Open(int connections) {
    PostgresOptions options;
    options.url = url_;
    options.connections = connections;
    options.max_retries = 100;
    StatusOr<std::unique_ptr<Engine>> engine = OpenPostgres(options);
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return engine.ok() ? std::move(engine).value() : nullptr;
  }

  void Script(std::string_view sql) {
    Status s = engine_->Write([&](Tx& tx) { return tx.ExecScript(sql); });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  StatusOr<Rows> Query(std::string_view sql, const Params& params = {}) {
    StatusOr<Rows> rows = Status(Code::kInternal, "not run");
    Status s = engine_->Read([&](Tx& tx) {
      rows = tx.Query(sql, params);
      return rows.status();
    });
    if (!s.ok()) return s;
    return rows;
  }

  int64_t Count(std::string_view table) {
    StatusOr<Rows> rows = Query("SELECT count(*) FROM " + std::string(table));
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? rows->at(0).Int(0) : -1;
  }

  std::string url_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(PostgresEngineTest, Dialect) {
  EXPECT_EQ(engine_->dialect(), Dialect::kPostgres);
  Status s = engine_->Read([](Tx& tx) {
    EXPECT_EQ(tx.dialect(), Dialect::kPostgres);
    return Status::OK();
  });
  EXPECT_TRUE(s.ok());
}

TEST_F(PostgresEngineTest, ByteaRoundTripsEveryByte) {
  Script("CREATE TABLE pgt_blobs (id bigint PRIMARY KEY, b bytea)");
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  std::string big(1 << 20, '\0');
  std::mt19937 rng(42);
  for (char& c : big) c = static_cast<char>(rng());
  const std::vector<std::string> contents = {"", std::string("\0\0a\0", 4), all_bytes, big};

  Status s = engine_->Write([&](Tx& tx) {
    for (size_t i = 0; i < contents.size(); ++i) {
      RETURN_IF_ERROR(tx.Exec("INSERT INTO pgt_blobs (id, b) VALUES (?, ?)",
                              {static_cast<int64_t>(i), Bytes{contents[i]}})
                          .status());
    }
    return Status::OK();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();

  for (size_t i = 0; i < contents.size(); ++i) {
    StatusOr<Rows> rows = Query("SELECT b FROM pgt_blobs WHERE id = ?", {static_cast<int64_t>(i)});
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 1u);
    ASSERT_TRUE(std::holds_alternative<Bytes>(rows->at(0).at(0)));
    EXPECT_TRUE(std::get<Bytes>(rows->at(0).at(0)).data == contents[i]) << "row " << i;
  }
  // A bytes parameter stays bytea where nothing else says what it is.
  StatusOr<Rows> echo = Query("SELECT ?", {Bytes{all_bytes}});
  ASSERT_TRUE(echo.ok()) << echo.status().ToString();
  EXPECT_EQ(echo->at(0).at(0), Value(Bytes{all_bytes}));
}

TEST_F(PostgresEngineTest, IntegersRealsAndTextRoundTrip) {
  Script("CREATE TABLE pgt_values (id bigint PRIMARY KEY, i bigint, r double precision, s text)");
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  Status s = engine_->Write([&](Tx& tx) {
    RETURN_IF_ERROR(
        tx.Exec("INSERT INTO pgt_values VALUES (1, ?, ?, ?)", {kMin, 0.1, "héllo ✓"}).status());
    RETURN_IF_ERROR(
        tx.Exec("INSERT INTO pgt_values VALUES (2, ?, ?, ?)", {kMax, -1e300, ""}).status());
    return tx.Exec("INSERT INTO pgt_values VALUES (3, ?, ?, ?)", {int64_t{0}, 5e-324, "'?\""})
        .status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();

  StatusOr<Rows> rows = Query("SELECT i, r, s FROM pgt_values ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].at(0), Value(kMin));
  EXPECT_EQ((*rows)[0].at(1), Value(0.1));
  EXPECT_EQ((*rows)[0].at(2), Value(std::string("héllo ✓")));
  EXPECT_EQ((*rows)[1].at(0), Value(kMax));
  EXPECT_EQ((*rows)[1].at(1), Value(-1e300));
  EXPECT_EQ((*rows)[1].at(2), Value(std::string()));
  EXPECT_EQ((*rows)[2].at(1), Value(5e-324));
  EXPECT_EQ((*rows)[2].at(2), Value(std::string("'?\"")));
}

TEST_F(PostgresEngineTest, ColumnTypesMapToValues) {
  StatusOr<Rows> rows = Query(
      "SELECT 7::int2, 8::int4, true, false, 1.5::float4, 2.25::numeric, 'x'::varchar, "
      "now() IS NOT NULL, NULL::bigint, NULL::bytea, NULL::text");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  const Row& r = rows->at(0);
  EXPECT_EQ(r.at(0), Value(int64_t{7}));
  EXPECT_EQ(r.at(1), Value(int64_t{8}));
  EXPECT_EQ(r.at(2), Value(int64_t{1}));
  EXPECT_EQ(r.at(3), Value(int64_t{0}));
  EXPECT_EQ(r.at(4), Value(1.5));
  EXPECT_EQ(r.at(5), Value(2.25));
  EXPECT_EQ(r.at(6), Value(std::string("x")));
  EXPECT_EQ(r.at(7), Value(int64_t{1}));
  for (size_t i = 8; i < 11; ++i) EXPECT_TRUE(r.IsNull(i)) << i;
}

TEST_F(PostgresEngineTest, NullParametersAndColumns) {
  Script("CREATE TABLE pgt_nulls (id bigint PRIMARY KEY, i bigint, b bytea, s text)");
  Status s = engine_->Write([](Tx& tx) {
    return tx.Exec("INSERT INTO pgt_nulls VALUES (1, ?, ?, ?)", {Null(), Null(), Null()}).status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  StatusOr<Rows> rows =
      Query("SELECT i, b, s FROM pgt_nulls WHERE i IS NULL AND id = ?", {int64_t{1}});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(rows->at(0).IsNull(i)) << i;
}

TEST_F(PostgresEngineTest, ExecReturnsChangedRows) {
  Script(
      "CREATE TABLE pgt_c (id bigint PRIMARY KEY, v bigint); INSERT INTO pgt_c VALUES (1, 0), (2, "
      "0), (3, 5)");
  StatusOr<int64_t> changed = Status(Code::kInternal, "not run");
  Status s = engine_->Write([&](Tx& tx) {
    changed = tx.Exec("UPDATE pgt_c SET v = v + 1 WHERE v = ?", {int64_t{0}});
    return changed.status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*changed, 2);
  s = engine_->Write([&](Tx& tx) {
    changed = tx.Exec("CREATE INDEX pgt_c_v ON pgt_c (v)");
    return changed.status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*changed, 0);
}

TEST_F(PostgresEngineTest, FailedUnitRollsBack) {
  Script("CREATE TABLE pgt_r (id bigint PRIMARY KEY)");
  Status s = engine_->Write([](Tx& tx) {
    RETURN_IF_ERROR(tx.Exec("INSERT INTO pgt_r VALUES (?)", {int64_t{1}}).status());
    return NotFound("changed my mind");
  });
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "changed my mind");
  EXPECT_EQ(Count("pgt_r"), 0);
  EXPECT_EQ(engine_->Stats().failed_units, 1);

  // The statement prepared in the rolled-back transaction is still usable.
  s = engine_->Write(
      [](Tx& tx) { return tx.Exec("INSERT INTO pgt_r VALUES (?)", {int64_t{1}}).status(); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Count("pgt_r"), 1);
}

TEST_F(PostgresEngineTest, IgnoredStatementErrorStillRollsBack) {
  Script("CREATE TABLE pgt_r (id bigint PRIMARY KEY)");
  Status s = engine_->Write([](Tx& tx) {
    RETURN_IF_ERROR(tx.Exec("INSERT INTO pgt_r VALUES (1)").status());
    (void)tx.Exec("SELECT * FROM no_such_table");  // aborts the transaction
    return Status::OK();
  });
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_EQ(Count("pgt_r"), 0);
}

TEST_F(PostgresEngineTest, ErrorsMapToCodes) {
  Script("CREATE TABLE pgt_u (id bigint PRIMARY KEY)");
  Status s = engine_->Write([](Tx& tx) {
    RETURN_IF_ERROR(tx.Exec("INSERT INTO pgt_u VALUES (1)").status());
    return tx.Exec("INSERT INTO pgt_u VALUES (1)").status();
  });
  EXPECT_EQ(s.code(), Code::kAlreadyExists) << s.ToString();
  EXPECT_EQ(s.detail("sqlstate"), "23505");

  s = engine_->Read([](Tx& tx) { return tx.Query("SELECT * FROM no_such_table").status(); });
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_NE(s.message().find("42P01"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("no_such_table"), std::string::npos) << s.ToString();

  s = engine_->Read([](Tx& tx) { return tx.Query("SELECT ?, ?", {int64_t{1}}).status(); });
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();

  s = engine_->Read([](Tx& tx) { return tx.Query("SELECT ?", {std::string("a\0b", 3)}).status(); });
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
}

TEST_F(PostgresEngineTest, ReadUnitCannotWrite) {
  Script("CREATE TABLE pgt_w (id bigint PRIMARY KEY)");
  Status s = engine_->Read(
      [](Tx& tx) { return tx.Exec("INSERT INTO pgt_w VALUES (?)", {int64_t{1}}).status(); });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("read-only"), std::string::npos) << s.ToString();
  s = engine_->Read(
      [](Tx& tx) { return tx.ExecScript("DELETE FROM pgt_w; CREATE TABLE pgt_w2 (x int)"); });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Count("pgt_w"), 0);
}

TEST_F(PostgresEngineTest, ExecScriptRunsSeveralStatements) {
  Script(
      "CREATE TABLE pgt_a (x bigint); CREATE TABLE pgt_b (y text);\n"
      "INSERT INTO pgt_a VALUES (1), (2); INSERT INTO pgt_b VALUES ('?');");
  EXPECT_EQ(Count("pgt_a"), 2);
  EXPECT_EQ(Count("pgt_b"), 1);
}

TEST_F(PostgresEngineTest, StatsCountUnits) {
  Script("CREATE TABLE pgt_s (x bigint)");
  EngineStats before = engine_->Stats();
  ASSERT_TRUE(
      engine_->Write([](Tx& tx) { return tx.Exec("INSERT INTO pgt_s VALUES (1)").status(); }).ok());
  ASSERT_TRUE(engine_->Read([](Tx& tx) { return tx.Query("SELECT x FROM pgt_s").status(); }).ok());
  EngineStats after = engine_->Stats();
  EXPECT_EQ(after.write_units - before.write_units, 1);
  EXPECT_EQ(after.commits - before.commits, 1);
  EXPECT_EQ(after.read_units - before.read_units, 1);
  EXPECT_EQ(after.failed_units, before.failed_units);
}

TEST_F(PostgresEngineTest, CheckIntegrityPassesOnEveryConnection) {
  Status s = engine_->CheckIntegrity();
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(PostgresEngineTest, SerializationConflictIsRetried) {
  Script(
      "CREATE TABLE pgt_counter (id bigint PRIMARY KEY, v bigint); INSERT INTO pgt_counter VALUES "
      "(1, 0)");
  // Both units read the counter before either writes it, so SERIALIZABLE lets only one
  // commit; the other must be re-run (after which it must not wait at the barrier again).
  EngineStats before = engine_->Stats();
  std::barrier both_read(2);
  auto increment = [&] {
    bool first_run = true;
    return engine_->Write([&](Tx& tx) -> Status {
      ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT v FROM pgt_counter WHERE id = ?", {int64_t{1}}));
      if (first_run) {
        first_run = false;
        both_read.arrive_and_wait();
      }
      return tx
          .Exec("UPDATE pgt_counter SET v = ? WHERE id = ?", {rows.at(0).Int(0) + 1, int64_t{1}})
          .status();
    });
  };
  Status s1, s2;
  std::thread t1([&] { s1 = increment(); });
  std::thread t2([&] { s2 = increment(); });
  t1.join();
  t2.join();
  EXPECT_TRUE(s1.ok()) << s1.ToString();
  EXPECT_TRUE(s2.ok()) << s2.ToString();
  StatusOr<Rows> rows = Query("SELECT v FROM pgt_counter");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->at(0).Int(0), 2);
  EngineStats after = engine_->Stats();
  EXPECT_GT(after.retries - before.retries, 0);
  EXPECT_EQ(after.write_units - before.write_units, 2);
  EXPECT_EQ(after.failed_units, before.failed_units);
}

TEST_F(PostgresEngineTest, ConcurrentIncrementsAllLand) {
  Script(
      "CREATE TABLE pgt_counter (id bigint PRIMARY KEY, v bigint); INSERT INTO pgt_counter VALUES "
      "(1, 0)");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        Status s = engine_->Write([](Tx& tx) -> Status {
          ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT v FROM pgt_counter WHERE id = 1"));
          return tx.Exec("UPDATE pgt_counter SET v = ? WHERE id = 1", {rows.at(0).Int(0) + 1})
              .status();
        });
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  StatusOr<Rows> rows = Query("SELECT v FROM pgt_counter");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->at(0).Int(0), kThreads * kPerThread - failures);
}

TEST_F(PostgresEngineTest, GivesUpAfterMaxRetries) {
  PostgresOptions options;
  options.url = url_;
  options.connections = 1;
  options.max_retries = 3;
  StatusOr<std::unique_ptr<Engine>> engine = OpenPostgres(options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  int runs = 0;
  Status s = (*engine)->Write([&](Tx&) {
    ++runs;
    return Status(Code::kRetry, "always transient");
  });
  EXPECT_EQ(s.code(), Code::kRetry);
  EXPECT_EQ(runs, 4);
  EXPECT_EQ((*engine)->Stats().retries, 3);
  EXPECT_EQ((*engine)->Stats().failed_units, 1);
}

TEST_F(PostgresEngineTest, BrokenConnectionIsReplaced) {
  std::unique_ptr<Engine> engine = Open(1);
  ASSERT_NE(engine, nullptr);
  // The server ends the session, as on a restart or an idle timeout.
  Status s = engine->Write(
      [](Tx& tx) { return tx.Query("SELECT pg_terminate_backend(pg_backend_pid())").status(); });
  EXPECT_EQ(s.code(), Code::kUnavailable) << "nothing committed: a refusal to resend later";
  s = engine->Read([](Tx& tx) { return tx.Query("SELECT 1").status(); });
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(PostgresEngineTest, WriteRefusedAsOnAStandbyIsUnavailableAndTheSessionReplaced) {
  std::unique_ptr<Engine> engine = Open(1);
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(
      engine->Write([](Tx& tx) { return tx.ExecScript("CREATE TABLE pgt_standby (x int)"); }).ok());
  // The session turns read-only, as every session of a primary demoted to a standby does.
  ASSERT_TRUE(engine
                  ->Write([](Tx& tx) {
                    return tx.ExecScript("SET SESSION default_transaction_read_only = on");
                  })
                  .ok());
  Status s =
      engine->Write([](Tx& tx) { return tx.Exec("INSERT INTO pgt_standby VALUES (1)").status(); });
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.ToString();
  EXPECT_EQ(s.detail("sqlstate"), "25006");
  s = engine->Write([](Tx& tx) { return tx.Exec("INSERT INTO pgt_standby VALUES (2)").status(); });
  EXPECT_TRUE(s.ok()) << "a new session, on whichever server takes writes: " << s.ToString();
}

TEST_F(PostgresEngineTest, ConnectionClosedWhileIdleIsReplacedBeforeARead) {
  std::unique_ptr<Engine> engine = Open(1);
  ASSERT_NE(engine, nullptr);
  auto backend_pid = [&](int64_t* pid) {
    return engine->Read([&](Tx& tx) -> Status {
      ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT pg_backend_pid()"));
      *pid = rows.at(0).Int(0);
      return Status::OK();
    });
  };
  int64_t before = 0;
  ASSERT_TRUE(backend_pid(&before).ok());
  // The server ends the idle session (a restart, idle_session_timeout), waiting up to 5 s.
  StatusOr<Rows> ended = Query("SELECT pg_terminate_backend(CAST(? AS INT), 5000)", {before});
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  int64_t after = 0;
  Status s = backend_pid(&after);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_NE(after, before);
}

TEST_F(PostgresEngineTest, ReadUnitIgnoringAFailedStatementFails) {
  std::unique_ptr<Engine> engine = Open(1);  // one connection: the statement stays prepared
  ASSERT_NE(engine, nullptr);
  auto divide = [&](int64_t by) {
    return engine->Read([&](Tx& tx) {
      (void)tx.Query("SELECT 1 / CAST(? AS BIGINT)", {by});  // the error aborts the transaction
      return Status::OK();
    });
  };
  EXPECT_TRUE(divide(1).ok());
  Status s = divide(0);
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  // A failed PREPARE, on a statement's first use, aborts it too.
  s = engine->Read([](Tx& tx) {
    (void)tx.Query("SELECT * FROM no_such_table");
    return Status::OK();
  });
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_TRUE(divide(2).ok()) << "the connection is usable again";
}

// A read unit's BEGIN goes out with its first statement in one pipelined send. When that
// send fails the server holds some prefix of it (nothing, the BEGIN, or both without the
// Sync), so the rest of the unit must not be sent: a later statement would run in a
// transaction the unit does not know, or in none, where a read unit could write. The unit
// fails even when it ignores the errors, and the connection returns as a fresh session.
TEST_F(PostgresEngineTest, FailedPipelinedSendEndsTheUnitAndResetsTheConnection) {
  std::unique_ptr<Engine> engine = Open(1);  // one connection: every unit here shares it
  ASSERT_NE(engine, nullptr);
  const std::string insert = "INSERT INTO pgt_send VALUES (1)";
  // Prepared here, so that in a read unit it would be sent straight away.
  Status s = engine->Write([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(tx.ExecScript("CREATE TABLE pgt_send (x bigint)"));
    return tx.Exec(insert).status();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(engine->Write([&](Tx& tx) { return tx.ExecScript("DELETE FROM pgt_send"); }).ok());
  auto backend_pid = [&](int64_t* pid) {
    return engine->Read([&](Tx& tx) -> Status {
      ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT pg_backend_pid()"));
      *pid = rows.at(0).Int(0);
      return Status::OK();
    });
  };
  int64_t before = 0;
  ASSERT_TRUE(backend_pid(&before).ok());  // prepares it: the next use is pipelined

  ASSERT_TRUE(SetFaults("postgres.send:1:EIO").ok());
  Status first = Internal("not run");
  Status later = Internal("not run");
  Status unit = engine->Read([&](Tx& tx) {
    first = tx.Query("SELECT pg_backend_pid()").status();
    later = tx.Exec(insert).status();
    return Status::OK();  // ignores both failures
  });
  ClearFaults();
  EXPECT_EQ(first.code(), Code::kIOError) << first.ToString();
  EXPECT_EQ(later.code(), Code::kIOError) << later.ToString();
  EXPECT_EQ(unit.code(), Code::kIOError) << unit.ToString();

  // The next unit gets the same connection, reset: a new session whose statements are
  // prepared afresh, in a read-only transaction of its own, and nothing was written.
  int64_t after = 0;
  s = backend_pid(&after);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_NE(after, before);
  s = engine->Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT pg_backend_pid(),"
                                         " current_setting('transaction_read_only'),"
                                         " (SELECT count(*) FROM pgt_send)"));
    EXPECT_EQ(rows.at(0).Int(0), after);
    EXPECT_EQ(rows.at(0).Text(1), "on");
    EXPECT_EQ(rows.at(0).Int(2), 0);
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(engine->CheckIntegrity().ok());
}

TEST_F(PostgresEngineTest, ReadsAndWritesAlternateOnOneConnection) {
  std::unique_ptr<Engine> engine = Open(1);
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(
      engine->Write([](Tx& tx) { return tx.ExecScript("CREATE TABLE pgt_alt (x bigint)"); }).ok());
  for (int64_t i = 1; i <= 20; ++i) {
    ASSERT_TRUE(
        engine
            ->Write([&](Tx& tx) { return tx.Exec("INSERT INTO pgt_alt VALUES (?)", {i}).status(); })
            .ok());
    int64_t n = 0;
    Status s = engine->Read([&](Tx& tx) -> Status {
      ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT count(*) FROM pgt_alt"));
      n = rows.at(0).Int(0);
      return tx.ExecScript("SELECT 1; SELECT 2");
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(n, i);
  }
  EXPECT_TRUE(engine->CheckIntegrity().ok());
}

TEST_F(PostgresEngineTest, PreparedStatementSurvivesSchemaChange) {
  std::unique_ptr<Engine> engine = Open(1);  // one connection: the statement stays prepared
  ASSERT_NE(engine, nullptr);
  auto select_all = [&](size_t* columns) {
    return engine->Read([&](Tx& tx) -> Status {
      ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT * FROM pgt_alter"));
      *columns = rows.at(0).size();
      return Status::OK();
    });
  };
  auto script = [&](std::string_view sql) {
    return engine->Write([&](Tx& tx) { return tx.ExecScript(sql); });
  };
  ASSERT_TRUE(script("CREATE TABLE pgt_alter (a bigint); INSERT INTO pgt_alter VALUES (1)").ok());
  size_t columns = 0;
  ASSERT_TRUE(select_all(&columns).ok());
  EXPECT_EQ(columns, 1u);
  ASSERT_TRUE(script("ALTER TABLE pgt_alter ADD COLUMN b text").ok());
  Status s = select_all(&columns);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(columns, 2u);
  // PostgreSQL refuses the old plan ("cached plan must not change result type"); the
  // engine dropped it and re-ran the unit.
  EXPECT_EQ(engine->Stats().retries, 1);
}

}  // namespace
}  // namespace nexus::storage

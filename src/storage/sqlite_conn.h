// One SQLite connection with its prepared-statement cache; the Tx a unit runs on.
//
// A SqliteConn is used by exactly one thread at a time: the engine hands the writer
// connection only to its writer thread and a read connection only to the thread that
// checked it out. Connections are opened with SQLITE_OPEN_NOMUTEX for that reason.
#ifndef NEXUS_STORAGE_SQLITE_CONN_H_
#define NEXUS_STORAGE_SQLITE_CONN_H_

#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/engine.h"

struct sqlite3;
struct sqlite3_stmt;

namespace nexus::storage {

class SqliteConn final : public Tx {
 public:
  // Prepared statements kept per connection, least recently used dropped first: SQL built at
  // run time (IN lists of varying length) would otherwise grow the cache without bound.
  static constexpr size_t kMaxStatements = 256;

  // Opens `path` read-write (creating it) or read-only.
  static StatusOr<std::unique_ptr<SqliteConn>> Open(const std::string& path, bool read_only,
                                                    int busy_timeout_ms);
  ~SqliteConn() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  StatusOr<Rows> Query(std::string_view sql, const Params& params = {}) override;
  StatusOr<int64_t> Exec(std::string_view sql, const Params& params = {}) override;
  Status ExecScript(std::string_view sql) override;

  // True when no transaction is open (SQLite rolled back on its own after some errors).
  bool InAutocommit() const;
  // Rows changed by INSERT, UPDATE and DELETE on this connection since it opened.
  int64_t TotalChanges() const;

  // The Status for SQLite result code `rc` on this connection, with its message.
  Status Error(int rc, std::string_view what) const;

 private:
  struct CachedStatement {
    std::string sql;
    sqlite3_stmt* stmt;
  };
  // Most recently used first; statements_ points into it (list nodes never move).
  using Lru = std::list<CachedStatement>;

  explicit SqliteConn(sqlite3* db) : db_(db) {}
  StatusOr<sqlite3_stmt*> Prepare(std::string_view sql);
  Status Bind(sqlite3_stmt* stmt, const Params& params);
  // Steps `stmt` to completion; collects rows when `rows` is not null.
  Status Run(sqlite3_stmt* stmt, std::string_view sql, Rows* rows);

  sqlite3* db_;
  Lru lru_;
  std::unordered_map<std::string_view, Lru::iterator> statements_;  // keys view lru_'s sql
};

// Maps a SQLite result code to our Code.
Code SqliteCode(int rc);

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_SQLITE_CONN_H_

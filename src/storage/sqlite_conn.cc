#include "storage/sqlite_conn.h"

#include <sqlite3.h>

namespace nexus::storage {
namespace {

// Resets a statement when the scope ends so the cached statement is reusable and holds no
// read snapshot open.
class StmtReset {
 public:
  explicit StmtReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtReset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_;
};

Value ColumnValue(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      const int n = sqlite3_column_bytes(stmt, i);
      return Bytes{n > 0 ? std::string(p, static_cast<size_t>(n)) : std::string()};
    }
    default:
      return Null();
  }
}

}  // namespace

Code SqliteCode(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Code::kStorageFull;
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
      return Code::kIOError;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Code::kRetry;
    case SQLITE_CONSTRAINT:
      return (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                 ? Code::kAlreadyExists
                 : Code::kInternal;
    default:
      return Code::kInternal;
  }
}

StatusOr<std::unique_ptr<SqliteConn>> SqliteConn::Open(const std::string& path, bool read_only,
                                                       int busy_timeout_ms) {
  const int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                    (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  std::unique_ptr<SqliteConn> conn(new SqliteConn(db));  // closes db even on failure
  if (rc != SQLITE_OK) return conn->Error(rc, "open " + path);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return conn;
}

SqliteConn::~SqliteConn() {
  for (CachedStatement& cached : lru_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Status SqliteConn::Error(int rc, std::string_view what) const {
  std::string msg = std::string(what) + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  return Status(SqliteCode(rc), std::move(msg));
}

bool SqliteConn::InAutocommit() const { return sqlite3_get_autocommit(db_) != 0; }

int64_t SqliteConn::TotalChanges() const { return sqlite3_total_changes64(db_); }

StatusOr<sqlite3_stmt*> SqliteConn::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->stmt;
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "prepare");
  if (lru_.size() >= kMaxStatements) {
    // Every cached statement is reset between uses, so the oldest can go at any time.
    statements_.erase(lru_.back().sql);
    sqlite3_finalize(lru_.back().stmt);
    lru_.pop_back();
  }
  lru_.push_front(CachedStatement{std::string(sql), stmt});
  statements_.emplace(lru_.front().sql, lru_.begin());
  return stmt;
}

Status SqliteConn::Bind(sqlite3_stmt* stmt, const Params& params) {
  if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
    return Internal("statement expects " + std::to_string(sqlite3_bind_parameter_count(stmt)) +
                    " parameters, got " + std::to_string(params.size()));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i) + 1;
    const Value& v = params[i];
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::monostate>(v)) {
      rc = sqlite3_bind_null(stmt, idx);
    } else if (const auto* n = std::get_if<int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt, idx, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(stmt, idx, *d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      rc = sqlite3_bind_text64(stmt, idx, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else {
      const auto& b = std::get<Bytes>(v).data;
      rc = sqlite3_bind_blob64(stmt, idx, b.data(), b.size(), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) return Error(rc, "bind");
  }
  return Status::OK();
}

Status SqliteConn::Run(sqlite3_stmt* stmt, std::string_view sql, Rows* rows) {
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return Status::OK();
    if (rc != SQLITE_ROW) return Error(rc, std::string("step: ") + std::string(sql.substr(0, 80)));
    if (rows == nullptr) continue;
    const int n = sqlite3_column_count(stmt);
    std::vector<Value> cols;
    cols.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) cols.push_back(ColumnValue(stmt, i));
    rows->emplace_back(std::move(cols));
  }
}

StatusOr<Rows> SqliteConn::Query(std::string_view sql, const Params& params) {
  ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  StmtReset reset(stmt);
  RETURN_IF_ERROR(Bind(stmt, params));
  Rows rows;
  RETURN_IF_ERROR(Run(stmt, sql, &rows));
  return rows;
}

StatusOr<int64_t> SqliteConn::Exec(std::string_view sql, const Params& params) {
  ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  StmtReset reset(stmt);
  RETURN_IF_ERROR(Bind(stmt, params));
  RETURN_IF_ERROR(Run(stmt, sql, nullptr));
  return static_cast<int64_t>(sqlite3_changes64(db_));
}

Status SqliteConn::ExecScript(std::string_view sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::OK();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Status(SqliteCode(rc), "script: " + msg);
}

}  // namespace nexus::storage

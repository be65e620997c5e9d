// The PostgreSQL engine: a pool of libpq connections, each used by one thread at a time.
// Write units run in SERIALIZABLE transactions and are re-run on serialization failures
// and deadlocks; read units run in READ ONLY REPEATABLE READ transactions, so a read can
// never modify the database.
//
// Round trips are what a unit costs here. A statement is prepared once per connection; a
// read unit's BEGIN travels with its first statement (pipeline mode) and its COMMIT is not
// waited for, so a read unit of n statements costs n round trips. When that pipelined send
// fails, what reached the server is unknown: the rest of the unit fails without sending, and
// the connection is reset when it goes back to the pool.
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/engine.h"
#include "storage/postgres_connect.h"
#include "storage/postgres_sql.h"
#include "storage/run_unit.h"
#include "util/fault_injection.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::storage {

// ---------------------------------------------------------------------------------------
// Placeholder rewriting

namespace {

constexpr int kMaxParams = 65535;  // the wire protocol counts parameters in 16 bits

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Characters that continue an identifier; PostgreSQL allows `$` and non-ASCII in them.
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// A single left-to-right pass that copies every token unchanged except placeholders.
class PlaceholderRewriter {
 public:
  explicit PlaceholderRewriter(std::string_view sql) : sql_(sql) {}

  StatusOr<PgSql> Run() {
    out_.reserve(sql_.size() + 16);
    while (pos_ < sql_.size()) {
      char c = sql_[pos_];
      if (c == '\'') {
        CopyQuoted('\'', IsEscapeString());
      } else if (c == '"') {
        CopyQuoted('"', /*backslash_escapes=*/false);
      } else if (StartsWith("--")) {
        CopyLineComment();
      } else if (StartsWith("/*")) {
        CopyBlockComment();
      } else if (c == '$' && TryCopyDollarQuoted()) {
        // copied
      } else if (c == '?') {
        RETURN_IF_ERROR(RewritePlaceholder());
      } else {
        out_ += c;
        ++pos_;
      }
    }
    return PgSql{std::move(out_), max_};
  }

 private:
  bool StartsWith(std::string_view s) const { return sql_.substr(pos_).starts_with(s); }

  void CopyUpTo(size_t end) {
    end = std::min(end, sql_.size());
    out_.append(sql_.substr(pos_, end - pos_));
    pos_ = end;
  }

  // E'...' strings treat backslash as an escape; standard strings do not
  // (standard_conforming_strings is on by default since PostgreSQL 9.1).
  bool IsEscapeString() const {
    if (pos_ == 0 || (sql_[pos_ - 1] != 'E' && sql_[pos_ - 1] != 'e')) return false;
    return pos_ < 2 || !IsIdentChar(sql_[pos_ - 2]);
  }

  // A literal or quoted identifier; a doubled quote inside it is an escaped quote.
  void CopyQuoted(char quote, bool backslash_escapes) {
    size_t end = pos_ + 1;
    while (end < sql_.size()) {
      char c = sql_[end];
      if (backslash_escapes && c == '\\') {
        end += 2;
      } else if (c == quote && end + 1 < sql_.size() && sql_[end + 1] == quote) {
        end += 2;
      } else if (c == quote) {
        ++end;
        break;
      } else {
        ++end;
      }
    }
    CopyUpTo(end);
  }

  void CopyLineComment() {
    size_t nl = sql_.find('\n', pos_);
    CopyUpTo(nl == std::string_view::npos ? sql_.size() : nl + 1);
  }

  // Block comments nest in PostgreSQL.
  void CopyBlockComment() {
    size_t end = pos_ + 2;
    int depth = 1;
    while (end < sql_.size() && depth > 0) {
      std::string_view rest = sql_.substr(end);
      if (rest.starts_with("/*")) {
        ++depth;
        end += 2;
      } else if (rest.starts_with("*/")) {
        --depth;
        end += 2;
      } else {
        ++end;
      }
    }
    CopyUpTo(end);
  }

  // $tag$ ... $tag$ (tag possibly empty). `$1` is a parameter and `a$b` an identifier,
  // neither starts a quote.
  bool TryCopyDollarQuoted() {
    if (pos_ > 0 && IsIdentChar(sql_[pos_ - 1])) return false;
    size_t tag_end = pos_ + 1;
    if (tag_end < sql_.size() && IsDigit(sql_[tag_end])) return false;
    while (tag_end < sql_.size() && sql_[tag_end] != '$' && IsIdentChar(sql_[tag_end])) {
      ++tag_end;
    }
    if (tag_end >= sql_.size() || sql_[tag_end] != '$') return false;
    std::string_view tag = sql_.substr(pos_, tag_end + 1 - pos_);
    size_t close = sql_.find(tag, tag_end + 1);
    CopyUpTo(close == std::string_view::npos ? sql_.size() : close + tag.size());
    return true;
  }

  Status RewritePlaceholder() {
    ++pos_;  // the '?'
    size_t digits_end = pos_;
    while (digits_end < sql_.size() && IsDigit(sql_[digits_end])) ++digits_end;
    std::string_view digits = sql_.substr(pos_, digits_end - pos_);
    int n = max_ + 1;
    if (!digits.empty()) {
      n = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (ec != std::errc() || n == 0) n = -1;
      pos_ = digits_end;
    }
    if (n <= 0 || n > kMaxParams) {
      return InvalidArgument("bad SQL parameter ?" + std::string(digits) + ": numbers run 1.." +
                             std::to_string(kMaxParams));
    }
    max_ = std::max(max_, n);
    out_ += '$';
    out_ += std::to_string(n);
    return Status::OK();
  }

  std::string_view sql_;
  size_t pos_ = 0;
  std::string out_;
  int max_ = 0;
};

}  // namespace

StatusOr<PgSql> RewritePlaceholders(std::string_view sql) { return PlaceholderRewriter(sql).Run(); }

namespace {

// ---------------------------------------------------------------------------------------
// libpq results and errors

// Type OIDs of pg_type (fixed since forever; libpq does not export them to clients).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// Prepared statements kept per connection. SQL built at run time (IN lists of varying
// length) could otherwise grow a session without bound; past the limit statements run
// unnamed, parsed each time.
constexpr size_t kMaxPreparedPerConnection = 2000;

// Every write transaction holds an advisory lock in shared mode (taken in the BEGIN's round
// trip). A unit that has lost kEscalateAfter serialization conflicts in a row takes the
// same lock exclusively, at session level and *before* BEGIN: it waits for every writer of
// every node to finish, and only then takes its snapshot, so it runs alone on fresh data
// and cannot lose again. Progress is guaranteed; uncontended writers keep full concurrency.
constexpr int kEscalateAfter = 3;
constexpr const char* kBeginWrite =
    "BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT pg_advisory_xact_lock_shared(7461627)";
constexpr const char* kBeginEscalatedWrite = "BEGIN ISOLATION LEVEL SERIALIZABLE";
constexpr const char* kEscalate = "SELECT pg_advisory_lock(7461627)";
constexpr const char* kDeescalate = "SELECT pg_advisory_unlock(7461627)";
constexpr const char* kBeginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string ErrorField(const PGresult* r, int field) {
  const char* v = r != nullptr ? PQresultErrorField(r, field) : nullptr;
  return v != nullptr ? OneLine(v) : "";
}

// Class 08 is connection_exception; 57P01..57P03 are the server shutting down or not
// accepting connections yet.
bool IsConnectionState(const std::string& sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

// A write reached a server that is (now) a standby: after a failover, the old primary's
// sessions. The connection is replaced, and with target_session_attrs=read-write in the URL
// libpq finds the new primary.
constexpr std::string_view kReadOnlyTransaction = "25006";

bool IsRetryableState(const std::string& sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

// Maps a failed statement to a Status. `sql` names the statement in internal errors, which
// are bugs to be found from the log.
Status ErrorStatus(PGconn* conn, const PGresult* r, std::string_view sql) {
  std::string sqlstate = ErrorField(r, PG_DIAG_SQLSTATE);
  std::string primary = ErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  if (primary.empty()) primary = ConnectionError(conn);
  std::vector<Status::Detail> details = {{"sqlstate", sqlstate}};
  if (PQstatus(conn) != CONNECTION_OK || IsConnectionState(sqlstate)) {
    return Status(Code::kUnavailable, "PostgreSQL is unavailable: " + primary, details);
  }

  // Errors libpq raises itself (no SQLSTATE) with the connection intact.
  if (sqlstate.empty()) return Internal("libpq: " + primary);
  std::string msg = "PostgreSQL: " + primary + " (SQLSTATE " + sqlstate + ")";
  if (IsRetryableState(sqlstate)) return Status(Code::kRetry, msg, details);
  if (sqlstate.starts_with("53")) return Status(Code::kStorageFull, msg, details);
  if (sqlstate == "23505") return Status(Code::kAlreadyExists, msg, details);
  std::string detail = ErrorField(r, PG_DIAG_MESSAGE_DETAIL);
  if (!detail.empty()) msg += "; " + detail;
  constexpr size_t kMaxSqlInMessage = 300;
  msg += "; in: " + std::string(sql.substr(0, kMaxSqlInMessage));
  return Status(Code::kInternal, msg, details);
}

Status CheckResult(PGconn* conn, const PGresult* r, std::string_view sql) {
  switch (r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
      return Status::OK();
    default:
      return ErrorStatus(conn, r, sql);
  }
}

// ---------------------------------------------------------------------------------------
// Parameters and values

// Parameters in libpq's form. Text goes as text, Bytes as binary bytea so NUL bytes and
// any byte value pass unchanged; the server infers every other parameter's type.
class BoundParams {
 public:
  Status Bind(const Params& params) {
    text_.reserve(params.size());  // values_ points into text_: it must not reallocate
    for (const Value& v : params) RETURN_IF_ERROR(BindOne(v));
    return Status::OK();
  }

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.empty() ? nullptr : values_.data(); }
  const int* lengths() const { return lengths_.empty() ? nullptr : lengths_.data(); }
  const int* formats() const { return formats_.empty() ? nullptr : formats_.data(); }
  const Oid* types() const { return types_.empty() ? nullptr : types_.data(); }

 private:
  Status BindOne(const Value& v) {
    if (std::holds_alternative<std::monostate>(v)) return Add(nullptr, 0, 0, 0);
    if (const auto* n = std::get_if<int64_t>(&v)) return AddText(std::to_string(*n));
    if (const auto* d = std::get_if<double>(&v)) return AddText(FormatDouble(*d));
    if (const auto* b = std::get_if<Bytes>(&v)) {
      if (b->data.size() > static_cast<size_t>(INT32_MAX)) {
        return InvalidArgument("a bytes parameter is larger than 2 GiB");
      }
      return Add(b->data.data(), static_cast<int>(b->data.size()), 1, kByteaOid);
    }
    const std::string& s = std::get<std::string>(v);
    // Text parameters travel NUL-terminated; PostgreSQL text cannot hold NUL anyway.
    if (s.find('\0') != std::string::npos) {
      return InvalidArgument("a text parameter contains a NUL byte; bind it as Bytes");
    }
    return Add(s.c_str(), 0, 0, 0);
  }

  static std::string FormatDouble(double d) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);  // shortest exact form
    return std::string(buf, end);
  }

  Status AddText(std::string s) {
    text_.push_back(std::move(s));
    return Add(text_.back().c_str(), 0, 0, 0);
  }

  Status Add(const char* value, int length, int format, Oid type) {
    values_.push_back(value);
    lengths_.push_back(length);
    formats_.push_back(format);
    types_.push_back(type);
    return Status::OK();
  }

  std::vector<std::string> text_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<Oid> types_;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea in text form: `\x` hex (the default bytea_output) or the old escape format.
Bytes DecodeBytea(const char* s, size_t len) {
  Bytes out;
  if (len >= 2 && s[0] == '\\' && s[1] == 'x') {
    out.data.reserve((len - 2) / 2);
    for (size_t i = 2; i + 1 < len; i += 2) {
      out.data.push_back(static_cast<char>(HexDigit(s[i]) << 4 | HexDigit(s[i + 1])));
    }
    return out;
  }
  size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(s), &n);
  if (raw != nullptr) {
    out.data.assign(reinterpret_cast<char*>(raw), n);
    PQfreemem(raw);
  }
  return out;
}

Value DecodeInt(const char* s, size_t len) {
  int64_t n = 0;
  std::from_chars(s, s + len, n);
  return n;
}

Value DecodeReal(const char* s, size_t len) {
  double d = 0;
  auto [p, ec] = std::from_chars(s, s + len, d);
  // numeric beyond double's range: strtod saturates to +-HUGE_VAL, which is the best
  // a double can say.
  if (ec != std::errc()) d = std::strtod(s, nullptr);
  return d;
}

Value DecodeCell(const PGresult* r, int row, int col, Oid type) {
  if (PQgetisnull(r, row, col)) return std::monostate{};
  const char* s = PQgetvalue(r, row, col);
  size_t len = static_cast<size_t>(PQgetlength(r, row, col));
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
      return DecodeInt(s, len);
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return DecodeReal(s, len);
    case kBoolOid:
      return int64_t{s[0] == 't' ? 1 : 0};
    case kByteaOid:
      return DecodeBytea(s, len);
    default:
      return std::string(s, len);
  }
}

Rows DecodeRows(const PGresult* r) {
  int nrows = PQntuples(r);
  int ncols = PQnfields(r);
  std::vector<Oid> types(ncols);
  for (int c = 0; c < ncols; ++c) types[c] = PQftype(r, c);
  Rows rows;
  rows.reserve(nrows);
  for (int i = 0; i < nrows; ++i) {
    std::vector<Value> cols;
    cols.reserve(ncols);
    for (int c = 0; c < ncols; ++c) cols.push_back(DecodeCell(r, i, c, types[c]));
    rows.emplace_back(std::move(cols));
  }
  return rows;
}

// Prepared statements are keyed by the SQL text and, when there are bytes parameters, by
// their positions: a parameter the server inferred as text cannot later receive binary
// bytea. Returns `sql` itself (no copy) in the common case.
std::string_view CacheKey(std::string_view sql, const Params& params, std::string* storage) {
  bool any_bytes = std::any_of(params.begin(), params.end(),
                               [](const Value& v) { return std::holds_alternative<Bytes>(v); });
  if (!any_bytes) return sql;
  storage->assign(sql);
  *storage += '\0';
  for (const Value& v : params) *storage += std::holds_alternative<Bytes>(v) ? 'b' : '-';
  return *storage;
}

// Lets the statement map be searched by string_view without building a string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// ---------------------------------------------------------------------------------------
// Connection

// One libpq connection and the statements prepared on it. Used by one thread at a time
// (the pool hands it out).
class Connection {
 public:
  explicit Connection(PGconn* conn) : conn_(conn) {
    // Notices ("relation already exists, skipping") would go to stderr otherwise.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Called at check-out. Collects the answer to a read unit's COMMIT (see CommitReadOnly)
  // and reconnects if the connection broke. The server forgets prepared statements then.
  Status EnsureConnected() {
    if (std::exchange(commit_in_flight_, false)) {
      DiscardResults();
      Recover();
    }
    if (PQstatus(conn_) == CONNECTION_OK) return Status::OK();
    Reset();
    if (PQstatus(conn_) == CONNECTION_OK) return Status::OK();
    return Status(Code::kUnavailable, "cannot reconnect to PostgreSQL: " + ConnectionError(conn_));
  }

  // Called at check-in: a connection goes back to the pool usable and outside a
  // transaction, whatever the unit and the network did.
  // A read unit's COMMIT still on its way is the one expected exception.
  void Recover() {
    deferred_begin_ = nullptr;
    if (commit_in_flight_) return;
    if (send_failed_ || on_standby_) return Reset();
    if (PQstatus(conn_) == CONNECTION_OK && PQpipelineStatus(conn_) == PQ_PIPELINE_OFF &&
        PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
    if (PQstatus(conn_) != CONNECTION_OK || PQpipelineStatus(conn_) != PQ_PIPELINE_OFF ||
        PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      Reset();
    }
  }

  // A statement without parameters, possibly several separated by `;`.
  StatusOr<Result> Simple(std::string_view sql) {
    Result r(PQexec(conn_, std::string(sql).c_str()));
    RETURN_IF_ERROR(CheckResult(conn_, r.get(), sql));
    return r;
  }

  // Opens a transaction. The server may have closed the connection while it sat idle in
  // the pool (restart, idle timeout); nothing has run yet, so one reconnect is safe.
  Status Begin(const char* begin_sql) {
    writing_ = begin_sql != kBeginRead;
    Status s = StandbyRefusal(Simple(begin_sql).status());
    if (s.ok() || PQstatus(conn_) == CONNECTION_OK) return s;
    RETURN_IF_ERROR(EnsureConnected());
    return StandbyRefusal(Simple(begin_sql).status());
  }

  // Opens a read transaction lazily: its BEGIN goes out with the unit's first statement, in
  // the same round trip, and a unit that runs no statement costs none.
  void DeferBegin(const char* begin_sql) {
    writing_ = false;
    deferred_begin_ = begin_sql;
  }

  // Runs a script inside the unit's transaction.
  StatusOr<Result> Script(std::string_view sql) {
    if (send_failed_) return SendFailedEarlier();
    RETURN_IF_ERROR(SendDeferredBegin());
    return Simple(sql);
  }

  // After a failed send there is nothing to say to the server: Recover() resets the session.
  void Rollback() {
    if (std::exchange(deferred_begin_, nullptr) == nullptr && !send_failed_) {
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
  }

  Status Commit() {
    StatusOr<Result> committed = Simple("COMMIT");
    if (committed.status().code() == Code::kUnavailable) {
      // The COMMIT may have been applied before the connection went: not a refusal a
      // client may simply resend.
      return IOError(
          "the connection to PostgreSQL failed at COMMIT, so whether the change "
          "was made is unknown: " +
          committed.status().message());
    }
    ASSIGN_OR_RETURN(Result r, std::move(committed));
    // COMMIT of a transaction that an earlier error aborted "succeeds" as a ROLLBACK.
    if (std::strcmp(PQcmdStatus(r.get()), "ROLLBACK") == 0) return IgnoredErrorRolledBack();
    return Status::OK();
  }

  // Ends a read transaction without waiting for the server's answer, which EnsureConnected
  // collects when the connection is next checked out (the server has long sent it by then):
  // a read-only COMMIT has nothing to make durable. Saves a round trip per read unit.
  Status CommitReadOnly() {
    if (std::exchange(deferred_begin_, nullptr) != nullptr) return Status::OK();  // never began
    if (send_failed_) return SendFailedEarlier();
    if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
      Rollback();
      return IgnoredErrorRolledBack();
    }
    if (PQsendQuery(conn_, "COMMIT") != 1) return ErrorStatus(conn_, nullptr, "COMMIT");
    commit_in_flight_ = true;
    return Status::OK();
  }

  // Runs one statement with `?` placeholders, preparing it on first use.
  StatusOr<Result> Execute(std::string_view sql, const Params& params) {
    if (send_failed_) return SendFailedEarlier();
    const char* begin = deferred_begin_;
    StatusOr<Result> r = ExecuteOnce(sql, params);
    // As in Begin(): when this statement carried the deferred BEGIN nothing had run yet, so a
    // connection the server closed while it sat idle in the pool is replaced once.
    if (r.ok() || begin == nullptr || PQstatus(conn_) == CONNECTION_OK) return r;
    RETURN_IF_ERROR(EnsureConnected());
    deferred_begin_ = begin;
    return ExecuteOnce(sql, params);
  }

 private:
  struct Statement {
    std::string name;
    int params;
  };
  using StatementMap = std::unordered_map<std::string, Statement, StringHash, std::equal_to<>>;

  static Status SendFailedEarlier() {
    return IOError(
        "a statement of this unit could not be sent to PostgreSQL, so its transaction is "
        "abandoned");
  }

  // Replaces the session: the server forgets its transaction and prepared statements.
  void Reset() {
    statements_.clear();
    send_failed_ = false;
    on_standby_ = false;
    PQreset(conn_);
  }

  static Status IgnoredErrorRolledBack() {
    return Internal(
        "PostgreSQL rolled the transaction back at COMMIT: a statement failed and the unit "
        "ignored its error");
  }

  Status SendDeferredBegin() {
    const char* begin = std::exchange(deferred_begin_, nullptr);
    return begin != nullptr ? Begin(begin) : Status::OK();
  }

  StatusOr<Result> ExecuteOnce(std::string_view sql, const Params& params) {
    BoundParams bound;
    RETURN_IF_ERROR(bound.Bind(params));
    std::string key_storage;
    std::string_view key = CacheKey(sql, params, &key_storage);
    auto it = statements_.find(key);
    if (it == statements_.end()) {
      ASSIGN_OR_RETURN(PgSql rewritten, RewritePlaceholders(sql));
      RETURN_IF_ERROR(CheckParamCount(rewritten.params, bound.size(), sql));
      if (statements_.size() >= kMaxPreparedPerConnection) {
        return ExecuteUnnamed(rewritten.text, bound, sql);
      }
      ASSIGN_OR_RETURN(it, Prepare(key, rewritten, bound, sql));
    }
    RETURN_IF_ERROR(CheckParamCount(it->second.params, bound.size(), sql));
    return ExecutePrepared(it, bound, sql);
  }

  static Status CheckParamCount(int wanted, int given, std::string_view sql) {
    if (wanted == given) return Status::OK();
    return InvalidArgument("SQL takes " + std::to_string(wanted) + " parameters, " +
                           std::to_string(given) + " given: " + std::string(sql.substr(0, 200)));
  }

  StatusOr<StatementMap::iterator> Prepare(std::string_view key, const PgSql& rewritten,
                                           const BoundParams& bound, std::string_view sql) {
    // Inside the transaction, as before deferred BEGINs: a failed PREPARE aborts it. This
    // costs the BEGIN's round trip once per statement and connection.
    RETURN_IF_ERROR(SendDeferredBegin());
    std::string name = "s" + std::to_string(++next_statement_);
    Result r(PQprepare(conn_, name.c_str(), rewritten.text.c_str(), bound.size(), bound.types()));
    RETURN_IF_ERROR(CheckResult(conn_, r.get(), sql));
    return statements_.emplace(std::string(key), Statement{std::move(name), rewritten.params})
        .first;
  }

  StatusOr<Result> ExecutePrepared(StatementMap::iterator it, const BoundParams& bound,
                                   std::string_view sql) {
    StatusOr<Result> r = Run(
        [&] {
          return PQsendQueryPrepared(conn_, it->second.name.c_str(), bound.size(), bound.values(),
                                     bound.lengths(), bound.formats(), /*resultFormat=*/0);
        },
        sql);
    if (r.ok()) return r;
    const Status& s = r.status();
    // A table changed under a prepared `SELECT *`: forget the statement so that the
    // re-run of the unit prepares it afresh.
    if (s.detail("sqlstate") == "0A000" && s.message().find("cached plan") != std::string::npos) {
      statements_.erase(it);
      return Status(Code::kRetry, s.message(), s.details());
    }
    return s;
  }

  StatusOr<Result> ExecuteUnnamed(const std::string& text, const BoundParams& bound,
                                  std::string_view sql) {
    return Run(
        [&] {
          return PQsendQueryParams(conn_, text.c_str(), bound.size(), bound.types(), bound.values(),
                                   bound.lengths(), bound.formats(), /*resultFormat=*/0);
        },
        sql);
  }

  // Sends one command with `send` (a PQsend* call) and returns its result. A deferred BEGIN
  // goes first in the same round trip: libpq's pipeline mode queues both, and one Sync ends
  // them.
  template <typename Send>
  StatusOr<Result> Run(const Send& send, std::string_view sql) {
    const char* begin = std::exchange(deferred_begin_, nullptr);
    if (begin == nullptr) {
      if (send() != 1) return ErrorStatus(conn_, nullptr, sql);
      return Checked(NextResult(), sql);
    }
    if (Status s = SendPipelined(begin, send, sql); !s.ok()) {
      send_failed_ = true;
      return s;
    }
    Result begun = NextResult();
    Result result = NextResult();
    Result sync(PQgetResult(conn_));  // PGRES_PIPELINE_SYNC, or null on a broken connection
    (void)PQexitPipelineMode(conn_);  // fails only on a broken connection, which is reset
    RETURN_IF_ERROR(CheckResult(conn_, begun.get(), begin));
    return Checked(std::move(result), sql);
  }

  // Queues BEGIN and the statement and sends both with one Sync. On failure the server may
  // have any prefix of that: nothing, the BEGIN, or both without the Sync.
  template <typename Send>
  Status SendPipelined(const char* begin, const Send& send, std::string_view sql) {
    if (PQenterPipelineMode(conn_) != 1 ||
        PQsendQueryParams(conn_, begin, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
      return ErrorStatus(conn_, nullptr, sql);
    }
    RETURN_IF_ERROR(InjectedFault("postgres.send", "send to PostgreSQL"));
    if (send() != 1 || PQpipelineSync(conn_) != 1) return ErrorStatus(conn_, nullptr, sql);
    return Status::OK();
  }

  StatusOr<Result> Checked(Result r, std::string_view sql) {
    RETURN_IF_ERROR(StandbyRefusal(CheckResult(conn_, r.get(), sql)));
    return r;
  }

  // A write unit refused because the server is a standby now (a failover demoted it, or the
  // connection reached it before the new primary was promoted): kUnavailable, and the
  // session is replaced before its next unit so that libpq looks for the primary again. A
  // write's BEGIN fails there too: a standby has no serializable mode. In a read unit the
  // same errors are the unit's bug (it tried to write).
  Status StandbyRefusal(Status s) {
    if (!writing_ || s.ok()) return s;
    const std::string state = s.detail("sqlstate");
    const bool standby = state == kReadOnlyTransaction ||
                         (state == "0A000" && s.message().find("hot standby") != std::string::npos);
    if (!standby) return s;
    on_standby_ = true;
    return Status(Code::kUnavailable,
                  "PostgreSQL refuses writes: the server is a standby (is a failover under way?)",
                  s.details());
  }

  // The next command's result; reads on to the null that ends it.
  Result NextResult() {
    Result r(PQgetResult(conn_));
    if (r != nullptr) DiscardResults();
    return r;
  }

  void DiscardResults() {
    while (PGresult* r = PQgetResult(conn_)) PQclear(r);
  }

  PGconn* const conn_;
  StatementMap statements_;  // by CacheKey
  int64_t next_statement_ = 0;
  const char* deferred_begin_ = nullptr;  // the BEGIN the next statement must send first
  bool commit_in_flight_ = false;         // a read unit's COMMIT whose answer is unread
  bool send_failed_ = false;              // a pipelined send of this unit failed
  bool on_standby_ = false;               // the server refused a write as a standby
  bool writing_ = false;                  // the unit running is a write unit
};

StatusOr<std::unique_ptr<Connection>> ConnectOne(const std::string& url) {
  ASSIGN_OR_RETURN(PGconn * conn, ConnectPostgres(url));
  return std::make_unique<Connection>(conn);
}

// ---------------------------------------------------------------------------------------
// Pool

class Pool;

// A checked-out connection; returns it to the pool on destruction.
class Lease {
 public:
  Lease(Pool* pool, Connection* conn) : pool_(pool), conn_(conn) {}
  Lease(Lease&& other) noexcept
      : pool_(std::exchange(other.pool_, nullptr)), conn_(std::exchange(other.conn_, nullptr)) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease();

  Connection& operator*() const { return *conn_; }
  Connection* operator->() const { return conn_; }

 private:
  Pool* pool_;
  Connection* conn_;
};

class Pool {
 public:
  Status Connect(const std::string& url, int size) {
    for (int i = 0; i < size; ++i) {
      ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, ConnectOne(url));
      {
        MutexLock lock(&mu_);
        idle_.push_back(c.get());
      }
      all_.push_back(std::move(c));
    }
    return Status::OK();
  }

  size_t size() const { return all_.size(); }

  // Blocks until a connection is free.
  StatusOr<Lease> Acquire() {
    Connection* c;
    {
      MutexLock lock(&mu_);
      cv_.Wait(&mu_, [this]() REQUIRES(mu_) { return !idle_.empty(); });
      c = idle_.back();
      idle_.pop_back();
    }
    Lease lease(this, c);
    RETURN_IF_ERROR(c->EnsureConnected());
    return lease;
  }

  void Release(Connection* c) {
    c->Recover();  // outside the lock: it may talk to the server
    {
      MutexLock lock(&mu_);
      idle_.push_back(c);
    }
    cv_.Signal();
  }

 private:
  std::vector<std::unique_ptr<Connection>> all_;  // fixed after Connect()
  Mutex mu_;
  CondVar cv_;  // signalled when idle_ grows
  std::vector<Connection*> idle_ GUARDED_BY(mu_);
};

Lease::~Lease() {
  if (conn_ != nullptr) pool_->Release(conn_);
}

// ---------------------------------------------------------------------------------------
// Transactions and the engine

class PgTx : public Tx {
 public:
  explicit PgTx(Connection* conn) : conn_(conn) {}

  Dialect dialect() const override { return Dialect::kPostgres; }

  StatusOr<Rows> Query(std::string_view sql, const Params& params) override {
    ASSIGN_OR_RETURN(Result r, Note(conn_->Execute(sql, params)));
    return DecodeRows(r.get());
  }

  StatusOr<int64_t> Exec(std::string_view sql, const Params& params) override {
    ASSIGN_OR_RETURN(Result r, Note(conn_->Execute(sql, params)));
    const char* tuples = PQcmdTuples(r.get());
    int64_t n = 0;
    std::from_chars(tuples, tuples + std::strlen(tuples), n);  // "" for non-DML: 0
    // A SELECT's count is of the rows it returned (SELECT pg_notify(...) changes none).
    if (n > 0 && !std::string_view(PQcmdStatus(r.get())).starts_with("SELECT"))
      NoteRowsChangedByThisThread();
    return n;
  }

  Status ExecScript(std::string_view sql) override {
    NoteRowsChangedByThisThread();  // a script is schema or bulk work: taken as a change
    return Note(conn_->Script(sql)).status();
  }

  // The first transient failure, if any. After it the transaction is aborted, so the unit
  // must be re-run whatever it returned.
  const Status& transient_failure() const { return transient_; }

 private:
  StatusOr<Result> Note(StatusOr<Result> r) {
    if (r.status().code() == Code::kRetry && transient_.ok()) transient_ = r.status();
    return r;
  }

  Connection* const conn_;
  Status transient_;
};

enum class Mode { kWrite, kRead };

class PostgresEngine : public Engine {
 public:
  explicit PostgresEngine(const PostgresOptions& options) : options_(options) {}

  Status Connect() {
    if (options_.connections < 1) return InvalidArgument("PostgreSQL pool needs a connection");
    return pool_.Connect(options_.url, options_.connections);
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Write(const Unit& unit) override {
    (void)TakeRowsChangedByThisThread();  // only this unit's statements count
    Status s = RunWithRetries(unit, Mode::kWrite);
    const bool changed_rows = TakeRowsChangedByThisThread();
    if (s.ok()) {
      if (changed_rows) CountCommittedWrite();
      write_units_.fetch_add(1, std::memory_order_relaxed);
      commits_.fetch_add(1, std::memory_order_relaxed);
    } else {
      failed_units_.fetch_add(1, std::memory_order_relaxed);
    }
    return s;
  }

  Status Read(const Unit& unit) override {
    read_units_.fetch_add(1, std::memory_order_relaxed);
    return RunWithRetries(unit, Mode::kRead);
  }

  EngineStats Stats() const override {
    EngineStats s;
    s.write_units = write_units_.load(std::memory_order_relaxed);
    s.failed_units = failed_units_.load(std::memory_order_relaxed);
    s.commits = commits_.load(std::memory_order_relaxed);
    s.read_units = read_units_.load(std::memory_order_relaxed);
    s.retries = retries_.load(std::memory_order_relaxed);
    return s;
  }

  Status CheckIntegrity() override;
  StatusOr<std::unique_ptr<Listener>> Listen(std::string_view channel) override {
    return ListenPostgres(options_.url, channel);
  }

 private:
  Status RunWithRetries(const Unit& unit, Mode mode);
  Status RunOnce(Connection& conn, const Unit& unit, Mode mode, bool escalate);
  Status RunTransaction(Connection& conn, const Unit& unit, const char* begin);

  const PostgresOptions options_;
  Pool pool_;
  // Serialises CheckIntegrity: two of them each holding part of the pool while waiting
  // for the rest would deadlock.
  Mutex integrity_mu_;
  std::atomic<int64_t> write_units_{0};
  std::atomic<int64_t> failed_units_{0};
  std::atomic<int64_t> commits_{0};
  std::atomic<int64_t> read_units_{0};
  std::atomic<int64_t> retries_{0};
};

// Randomised and growing so that units that conflicted do not collide again in lockstep:
// up to 2 ms after the first conflict, doubling to 50 ms.
void Backoff(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  int cap_us = std::min(50'000, 2'000 << std::min(attempt, 5));
  std::uniform_int_distribution<int> dist(1'000, cap_us);
  std::this_thread::sleep_for(std::chrono::microseconds(dist(rng)));
}

Status PostgresEngine::RunWithRetries(const Unit& unit, Mode mode) {
  ASSIGN_OR_RETURN(Lease conn, pool_.Acquire());
  for (int attempt = 0;; ++attempt) {
    Status s = RunOnce(*conn, unit, mode, mode == Mode::kWrite && attempt >= kEscalateAfter);
    if (s.code() != Code::kRetry) return s;
    if (attempt >= options_.max_retries) {
      return Status(Code::kRetry,
                    "gave up after " + std::to_string(attempt) + " re-runs: " + s.message(),
                    s.details());
    }
    retries_.fetch_add(1, std::memory_order_relaxed);
    Backoff(attempt);
  }
}

Status PostgresEngine::RunOnce(Connection& conn, const Unit& unit, Mode mode, bool escalate) {
  if (!escalate) return RunTransaction(conn, unit, mode == Mode::kRead ? kBeginRead : kBeginWrite);
  RETURN_IF_ERROR(conn.Simple(kEscalate).status());
  Status s = RunTransaction(conn, unit, kBeginEscalatedWrite);
  // A lost connection releases the lock with it; otherwise release it here.
  (void)conn.Simple(kDeescalate);
  return s;
}

Status PostgresEngine::RunTransaction(Connection& conn, const Unit& unit, const char* begin) {
  const bool read = begin == kBeginRead;
  if (read) {
    conn.DeferBegin(begin);
  } else if (Status s = conn.Begin(begin); !s.ok()) {
    conn.Rollback();  // the BEGIN may have run before the lock failed
    return s;
  }
  PgTx tx(&conn);
  Status s = RunUnit(unit, tx, read ? "read" : "write");
  if (!tx.transient_failure().ok()) s = tx.transient_failure();
  // Read units are left alone: they have nothing to lose at COMMIT.
  if (s.ok() && !read) s = InjectedFault("postgres.commit", "commit");
  if (!s.ok()) {
    conn.Rollback();
    return s;
  }
  return read ? conn.CommitReadOnly() : conn.Commit();
}

Status PostgresEngine::CheckIntegrity() {
  MutexLock lock(&integrity_mu_);
  std::vector<Lease> leases;
  for (size_t i = 0; i < pool_.size(); ++i) {
    ASSIGN_OR_RETURN(Lease lease, pool_.Acquire());
    RETURN_IF_ERROR(lease->Simple("SELECT 1").status());
    leases.push_back(std::move(lease));  // held so that every connection gets checked
  }
  return Status::OK();
}

}  // namespace

StatusOr<std::unique_ptr<Engine>> OpenPostgres(const PostgresOptions& options) {
  auto engine = std::make_unique<PostgresEngine>(options);
  RETURN_IF_ERROR(engine->Connect());
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace nexus::storage

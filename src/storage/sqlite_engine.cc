// The SQLite engine: one writer thread owns the only read-write connection and commits
// queued units in groups; a pool of read-only connections serves reads.
//
// Why this shape: SQLite allows one writer at a time. Funnelling every write through one
// thread makes "database is locked" impossible inside the process, never shares a handle
// between threads, and lets one fsync cover a whole group of units (group commit). Each
// unit runs in its own SAVEPOINT so a failing unit rolls back alone.
//
// Transaction control (BEGIN, COMMIT, SAVEPOINT, ...) runs through Exec, as cached prepared
// statements: sqlite3_exec would parse it again each time, about a third of a read unit's cost.
#include <sqlite3.h>

#include <atomic>
#include <deque>
#include <future>
#include <thread>

#include "storage/run_unit.h"
#include "storage/sqlite_conn.h"
#include "util/background.h"
#include "util/fault_injection.h"
#include "util/file.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::storage {
namespace {

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A write unit waiting for the writer thread.
// What the caller of Write learns: the unit's status and whether it changed any row.
struct WriteOutcome {
  Status status;
  bool changed_rows = false;
};

struct PendingWrite {
  const Unit* unit;
  std::promise<WriteOutcome> done;
};

class SqliteEngine final : public Engine {
 public:
  SqliteEngine(SqliteOptions options, std::unique_ptr<FileLock> lock,
               std::unique_ptr<SqliteConn> writer)
      : options_(std::move(options)), lock_(std::move(lock)), writer_(std::move(writer)) {}
  ~SqliteEngine() override;

  Status Start();
  Dialect dialect() const override { return Dialect::kSqlite; }
  Status Write(const Unit& unit) override;
  Status Read(const Unit& unit) override;
  EngineStats Stats() const override;
  Status CheckIntegrity() override;
  StatusOr<std::unique_ptr<Listener>> Listen(std::string_view) override {
    return InvalidArgument("SQLite serves one process: there are no notifications to listen to");
  }

 private:
  void WriterLoop() EXCLUDES(queue_mu_);
  // Runs one group of units in a single transaction and completes their promises.
  void CommitGroup(std::deque<PendingWrite>& group);
  // Runs `unit` inside a savepoint on the writer connection.
  Status RunInSavepoint(const Unit& unit);
  std::unique_ptr<SqliteConn> CheckOutReader() EXCLUDES(readers_mu_);
  void CheckInReader(std::unique_ptr<SqliteConn> conn) EXCLUDES(readers_mu_);

  const SqliteOptions options_;
  const std::unique_ptr<FileLock> lock_;  // released last: members are destroyed in reverse
  std::unique_ptr<SqliteConn> writer_;    // used only by writer_thread_

  Mutex queue_mu_;
  CondVar queue_cv_;
  std::deque<PendingWrite> queue_ GUARDED_BY(queue_mu_);
  bool stopping_ GUARDED_BY(queue_mu_) = false;
  std::thread writer_thread_;

  Mutex readers_mu_;
  CondVar readers_cv_;
  std::vector<std::unique_ptr<SqliteConn>> idle_readers_ GUARDED_BY(readers_mu_);

  std::atomic<int64_t> write_units_{0}, failed_units_{0}, commits_{0}, read_units_{0};
};

Status SqliteEngine::Start() {
  auto pragma = [&](const std::string& sql) { return writer_->ExecScript(sql); };
  ASSIGN_OR_RETURN(Rows mode, writer_->Query("PRAGMA journal_mode=WAL"));
  if (mode.empty() || mode[0].Text(0) != "wal") {
    return IOError("could not switch " + options_.path + " to WAL mode");
  }
  RETURN_IF_ERROR(pragma(options_.durability == Durability::kFull ? "PRAGMA synchronous=FULL"
                                                                  : "PRAGMA synchronous=NORMAL"));
  RETURN_IF_ERROR(pragma("PRAGMA foreign_keys=ON"));
  for (int i = 0; i < options_.read_connections; ++i) {
    ASSIGN_OR_RETURN(auto reader,
                     SqliteConn::Open(options_.path, /*read_only=*/true, options_.busy_timeout_ms));
    CheckInReader(std::move(reader));
  }
  writer_thread_ = std::thread([this] { WriterLoop(); });
  return Status::OK();
}

SqliteEngine::~SqliteEngine() {
  {
    MutexLock l(&queue_mu_);
    stopping_ = true;
  }
  queue_cv_.SignalAll();
  if (writer_thread_.joinable()) writer_thread_.join();
  idle_readers_.clear();
  // A clean shutdown leaves an empty WAL; SQLite itself manages (and keeps) -wal and -shm.
  if (writer_) (void)writer_->ExecScript("PRAGMA wal_checkpoint(TRUNCATE)");
  writer_.reset();
}

Status SqliteEngine::Write(const Unit& unit) {
  PendingWrite pending{&unit, {}};
  std::future<WriteOutcome> result = pending.done.get_future();
  {
    MutexLock l(&queue_mu_);
    if (stopping_) return Internal("storage engine is shutting down");
    queue_.push_back(std::move(pending));
  }
  queue_cv_.Signal();
  WriteOutcome outcome = result.get();
  if (outcome.status.ok() && outcome.changed_rows) CountCommittedWrite();
  return std::move(outcome.status);
}

void SqliteEngine::WriterLoop() {
  for (;;) {
    std::deque<PendingWrite> group;
    {
      MutexLock l(&queue_mu_);
      queue_cv_.Wait(&queue_mu_,
                     [&]() REQUIRES(queue_mu_) { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued unit has been served
      while (!queue_.empty() && static_cast<int>(group.size()) < options_.max_group_units) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    // Units cannot throw (RunUnit); anything else that does fails this group's callers
    // (their futures are abandoned), not the process.
    RunGuarded("sqlite_writer", [&] { CommitGroup(group); });
  }
}

Status SqliteEngine::RunInSavepoint(const Unit& unit) {
  RETURN_IF_ERROR(writer_->Exec("SAVEPOINT unit").status());
  Status s = RunUnit(unit, *writer_, "write");
  if (writer_->InAutocommit()) {
    // SQLite abandoned the whole transaction (e.g. SQLITE_FULL); the group is lost.
    return s.ok() ? IOError("transaction rolled back by SQLite") : s;
  }
  if (!s.ok()) (void)writer_->Exec("ROLLBACK TO unit");
  (void)writer_->Exec("RELEASE unit");
  return s;
}

void SqliteEngine::CommitGroup(std::deque<PendingWrite>& group) {
  std::vector<Status> results(group.size());
  std::vector<bool> changed_rows(group.size(), false);
  Status group_status = writer_->Exec("BEGIN IMMEDIATE").status();
  for (size_t i = 0; i < group.size() && group_status.ok(); ++i) {
    const int64_t changes_before = writer_->TotalChanges();
    results[i] = RunInSavepoint(*group[i].unit);
    changed_rows[i] = writer_->TotalChanges() != changes_before;
    if (!results[i].ok() && writer_->InAutocommit()) group_status = results[i];
  }
  if (group_status.ok()) group_status = InjectedFault("sqlite.commit", "commit " + options_.path);
  if (group_status.ok()) group_status = writer_->Exec("COMMIT").status();
  if (!group_status.ok()) {
    if (!writer_->InAutocommit()) (void)writer_->Exec("ROLLBACK");
  } else {
    commits_.fetch_add(1, std::memory_order_relaxed);
  }
  for (size_t i = 0; i < group.size(); ++i) {
    // A unit that succeeded inside a group that failed to commit fails with the group.
    Status s = results[i].ok() ? group_status : results[i];
    (s.ok() ? write_units_ : failed_units_).fetch_add(1, std::memory_order_relaxed);
    group[i].done.set_value(WriteOutcome{std::move(s), changed_rows[i]});
  }
}

std::unique_ptr<SqliteConn> SqliteEngine::CheckOutReader() {
  MutexLock l(&readers_mu_);
  readers_cv_.Wait(&readers_mu_, [&]() REQUIRES(readers_mu_) { return !idle_readers_.empty(); });
  auto conn = std::move(idle_readers_.back());
  idle_readers_.pop_back();
  return conn;
}

void SqliteEngine::CheckInReader(std::unique_ptr<SqliteConn> conn) {
  {
    MutexLock l(&readers_mu_);
    idle_readers_.push_back(std::move(conn));
  }
  readers_cv_.Signal();
}

Status SqliteEngine::Read(const Unit& unit) {
  std::unique_ptr<SqliteConn> conn = CheckOutReader();
  // BEGIN makes every statement of the unit see the same WAL snapshot.
  Status s = conn->Exec("BEGIN").status();
  if (s.ok()) {
    s = RunUnit(unit, *conn, "read");
    if (!conn->InAutocommit()) (void)conn->Exec("COMMIT");
  }
  read_units_.fetch_add(1, std::memory_order_relaxed);
  CheckInReader(std::move(conn));
  return s;
}

EngineStats SqliteEngine::Stats() const {
  EngineStats s;
  s.write_units = write_units_.load();
  s.failed_units = failed_units_.load();
  s.commits = commits_.load();
  s.read_units = read_units_.load();
  return s;
}

Status SqliteEngine::CheckIntegrity() {
  return Read([](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows, tx.Query("PRAGMA integrity_check"));
    if (rows.size() == 1 && rows[0].Text(0) == "ok") return Status::OK();
    std::string problems;
    for (const Row& r : rows) problems += r.Text(0) + "; ";
    return IOError("integrity check failed: " + problems);
  });
}

}  // namespace

StatusOr<std::unique_ptr<Engine>> OpenSqlite(const SqliteOptions& options) {
  if (sqlite3_threadsafe() == 0) return Internal("SQLite was built without thread safety");
  const std::string dir = DirectoryOf(options.path);
  RETURN_IF_ERROR(CreateDirectories(dir));
  ASSIGN_OR_RETURN(auto lock, FileLock::Acquire(dir + "/LOCK"));
  ASSIGN_OR_RETURN(auto writer,
                   SqliteConn::Open(options.path, /*read_only=*/false, options.busy_timeout_ms));
  auto engine = std::make_unique<SqliteEngine>(options, std::move(lock), std::move(writer));
  RETURN_IF_ERROR(engine->Start());
  return std::unique_ptr<Engine>(std::move(engine));
}

}  // namespace nexus::storage

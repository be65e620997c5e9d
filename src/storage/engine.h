// The storage engine: the one interface through which every module reaches the database.
//
// Work is submitted as units: a function that runs statements on a Tx. A write unit runs
// inside a transaction and its effects are durable when Write() returns OK; a read unit
// sees one consistent snapshot and can never modify the database (SQLite reads run on
// read-only connections, PostgreSQL reads in READ ONLY transactions). A unit may be run
// more than once (the PostgreSQL engine retries on serialization failures), so it must not
// have side effects outside its Tx that cannot be repeated. A unit must not call back into
// the engine: it holds a connection (or the writer thread) while it runs.
//
// SQL is written once with `?` placeholders; engines translate it to their dialect. Each
// parameter's type must be clear from its context (PostgreSQL infers it): write
// `CAST(? AS BIGINT)` where it is not, e.g. `? IS NULL`.
#ifndef NEXUS_STORAGE_ENGINE_H_
#define NEXUS_STORAGE_ENGINE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/value.h"
#include "util/status.h"

namespace nexus::storage {

enum class Dialect { kSqlite, kPostgres };

// The connection a unit runs on. Valid only inside the unit; used by one thread.
class Tx {
 public:
  virtual ~Tx() = default;
  virtual Dialect dialect() const = 0;
  // Runs a statement and returns its rows (empty for statements without results).
  virtual StatusOr<Rows> Query(std::string_view sql, const Params& params = {}) = 0;
  // Runs a statement and returns the number of rows it changed.
  virtual StatusOr<int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs several `;`-separated statements without parameters (schema changes).
  virtual Status ExecScript(std::string_view sql) = 0;
};

using Unit = std::function<Status(Tx&)>;

// Counters for tests, metrics and the read-never-writes guarantee.
struct EngineStats {
  int64_t write_units = 0;   // write units that committed
  int64_t failed_units = 0;  // write units rolled back
  int64_t commits = 0;       // write transactions committed (groups on SQLite)
  int64_t read_units = 0;    // read units run
  int64_t retries = 0;       // units re-run after a transient failure (PostgreSQL)
};

enum class Durability {
  kFull,    // a commit survives power loss (fsync on every commit group)
  kNormal,  // a commit survives a process crash; the OS may lose the last ones on power loss
};

// The notifications of one channel: what write units of any process sent to it with
// PostgreSQL's NOTIFY (`SELECT pg_notify(channel, payload)`), delivered once they commit.
// Used by one thread.
class Listener {
 public:
  virtual ~Listener() = default;
  // Waits up to `timeout` and returns the payloads that arrived (none on timeout). kIOError
  // when the connection was lost; the next call connects and listens again. Notifications
  // sent while no connection listened are lost, so a caller re-reads what it watches after
  // an error.
  virtual StatusOr<std::vector<std::string>> Wait(std::chrono::milliseconds timeout) = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual Dialect dialect() const = 0;

  // Runs `unit` in a write transaction; returns its Status once the outcome is durable.
  // If the unit fails, none of its changes remain.
  virtual Status Write(const Unit& unit) = 0;

  // Runs `unit` on a read-only snapshot.
  virtual Status Read(const Unit& unit) = 0;

  virtual EngineStats Stats() const = 0;

  // Verifies the database's physical integrity (PRAGMA integrity_check on SQLite).
  virtual Status CheckIntegrity() = 0;

  // A listener on `channel` (a lower-case identifier), on a connection of its own. SQLite
  // serves one process and has nothing to listen to: kInvalidArgument.
  virtual StatusOr<std::unique_ptr<Listener>> Listen(std::string_view channel) = 0;
};

struct SqliteOptions {
  std::string path;  // database file; the directory holding it is locked
  Durability durability = Durability::kFull;
  int read_connections = 4;  // size of the read-only pool
  int busy_timeout_ms = 5000;
  int max_group_units = 256;  // units committed together at most
};

// How many write units have committed for calls made on this thread, in any engine. A
// caller reads it before and after a piece of work to learn whether the work changed
// anything durable, which decides whether a failure after it may be retried blindly.
int64_t WriteUnitsCommittedByThisThread();

// Opens (creating if needed) the SQLite database and takes the exclusive lock on its
// directory (kInUse when another process holds it). Engines are connections: the schema is
// the caller's (migration.h).
StatusOr<std::unique_ptr<Engine>> OpenSqlite(const SqliteOptions& options);

struct PostgresOptions {
  std::string url;       // libpq connection string or postgresql:// URL
  int connections = 8;   // pool size
  int max_retries = 20;  // re-runs of a unit after serialization failure or deadlock
};

// Connects the pool. The schema is the caller's, as with SQLite.
StatusOr<std::unique_ptr<Engine>> OpenPostgres(const PostgresOptions& options);

// Opens by URL: "postgresql://..." or "postgres://..." selects PostgreSQL, anything else is
// taken as a SQLite file path ("sqlite:///path" is accepted too).
StatusOr<std::unique_ptr<Engine>> OpenEngine(std::string_view url, Durability durability);

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_ENGINE_H_

// Relationship-based access control (Zanzibar style): the public face of the rebac module.
//
// Tuples (tuple.h) say that a subject has a relation on an object within a tenant;
// namespace configurations (namespace_config.h, with its JSON form) say how relations
// combine and which relations grant a permission. Check, CheckBulk, Expand and Explain
// evaluate them; the rest reads and changes tuples and configurations.
//
// Consistency: every tuple or namespace change appends a changelog row with the next
// global revision, in the changing transaction. Each evaluation first reads the latest
// revision (one cheap query) and brings its in-memory copy of the tenant up to it, so a
// change committed anywhere, on this node or another sharing the PostgreSQL database, is
// seen by the very next check (read-your-writes). Evaluation itself runs in memory and
// never writes to the database.
//
// Tenancy: a tuple lives in one tenant, its subject and object with it; every method is
// scoped by the tenant it is given. Who may read or write which tenant is the caller's
// decision.
//
// Thread-safe. The engine must outlive the Rebac.
#ifndef NEXUS_REBAC_REBAC_H_
#define NEXUS_REBAC_REBAC_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rebac/check_cache.h"
#include "rebac/explanation.h"
#include "rebac/namespace_config.h"
#include "rebac/refs.h"
#include "rebac/tenant_graphs.h"
#include "rebac/tuple.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "util/status.h"

namespace nexus::rebac {

struct RebacOptions {
  // Hops from object to object (through a userset or a tupleToUserset, e.g. one file
  // parent) that a check may take before failing with kInternal.
  int max_depth = 50;
  // Check results kept in memory.
  size_t max_cached_results = 100000;
  // A tenant more changelog rows behind than this is reloaded whole instead.
  int64_t reload_after = 10000;
  // Wall clock in microseconds since the epoch, for expiry; tests replace it.
  std::function<int64_t()> now;  // empty: NowMicros
};

// A namespace configuration in force for a tenant.
struct NamespaceInfo {
  std::string object_type;
  NamespaceConfig config;
  bool custom = false;       // stored for the tenant; otherwise the built-in default
  bool has_default = false;  // a built-in default exists (what deleting `custom` reverts to)
  int64_t created_at = 0;    // custom only
  int64_t updated_at = 0;    // custom only
};

class Rebac {
 public:
  explicit Rebac(storage::Engine& engine, RebacOptions options = {});

  Rebac(const Rebac&) = delete;
  Rebac& operator=(const Rebac&) = delete;

  // ---- Evaluation. Unknown object types and permissions are kInvalidArgument; a
  // derivation deeper than max_depth is kInternal "permission check exceeded depth limit".

  // Whether `subject` has `permission` on `object`: any relation of the type's permission
  // map holds (or, when the type has no such permission, the relation of that name).
  StatusOr<bool> Check(std::string_view tenant_id, const SubjectRef& subject,
                       std::string_view permission, const ObjectRef& object);

  // Check for many objects (a listing), sharing one evaluation; results in input order.
  StatusOr<std::vector<bool>> CheckBulk(std::string_view tenant_id, const SubjectRef& subject,
                                        std::string_view permission,
                                        const std::vector<ObjectRef>& objects);

  // Every concrete subject with `permission` on `object`, sorted by (type, id); *:* when
  // everyone has it.
  StatusOr<std::vector<SubjectRef>> Expand(std::string_view tenant_id, std::string_view permission,
                                           const ObjectRef& object);

  StatusOr<Explanation> Explain(std::string_view tenant_id, const SubjectRef& subject,
                                std::string_view permission, const ObjectRef& object);

  // The latest revision in the database (0 before the first change).
  StatusOr<int64_t> CurrentRevision();

  // ---- Tuples: reads.

  // Live tuples (all with include_expired) matching the filter, oldest first.
  StatusOr<std::vector<Tuple>> ListTuples(std::string_view tenant_id, const TupleFilter& filter);

  // kNotFound "tuple not found: <id>" when the tenant has no live tuple with this id.
  StatusOr<Tuple> GetTuple(std::string_view tenant_id, std::string_view tuple_id);

  // ---- Tuples: writes. Each has a form that joins the caller's write unit (the Tx) and
  // one that runs its own. All changes are logged to the changelog.

  // Writes a tuple. The tenant's namespaces must know the object's type and, as a direct
  // relation, `relation` (computed relations are refused naming their kind; so is
  // `parent` on files, which follows paths); the subject's type, and its userset relation,
  // must exist too. Ids are checked (file ids are normalised paths), expires_at may not be
  // in the past, conditions must be JSON. Idempotent: an identical live tuple returns its
  // id unchanged; one with other expiry or conditions takes the new ones and keeps its id.
  StatusOr<WriteResult> WriteTuple(storage::Tx& tx, const TupleWrite& write);
  StatusOr<WriteResult> WriteTuple(const TupleWrite& write);

  // False when the tenant has no tuple with this id.
  StatusOr<bool> DeleteTuple(storage::Tx& tx, std::string_view tenant_id,
                             std::string_view tuple_id);
  StatusOr<bool> DeleteTuple(std::string_view tenant_id, std::string_view tuple_id);

  // Deletes every tuple matching the filter's subject, relation and object (at least one
  // must be set; limit, offset and include_expired are ignored). Returns how many.
  StatusOr<int64_t> DeleteMatching(storage::Tx& tx, std::string_view tenant_id,
                                   const TupleFilter& filter);
  StatusOr<int64_t> DeleteMatching(std::string_view tenant_id, const TupleFilter& filter);

  // Moves the tuples of (type, old_id), as object or subject, to new_id; for type "file"
  // also those below old_id as a path (/old/x -> /new/x). A tuple already at a new key is
  // replaced by the moved one.
  Status RenameObjects(storage::Tx& tx, std::string_view tenant_id, std::string_view type,
                       std::string_view old_id, std::string_view new_id);
  Status RenameObjects(std::string_view tenant_id, std::string_view type, std::string_view old_id,
                       std::string_view new_id);

  // Deletes the tuples whose object is (type, id) or, for type "file", below it. The
  // standalone form says how many it deleted.
  Status RemoveObjects(storage::Tx& tx, std::string_view tenant_id, std::string_view type,
                       std::string_view id);
  StatusOr<int64_t> RemoveObjects(std::string_view tenant_id, std::string_view type,
                                  std::string_view id);

  // ---- Namespaces.

  // The configuration in force for every known type (the tenant's own, else the default),
  // sorted by type.
  StatusOr<std::vector<NamespaceInfo>> ListNamespaces(std::string_view tenant_id);

  // kNotFound when the type has neither a stored configuration nor a default.
  StatusOr<NamespaceInfo> GetNamespace(std::string_view tenant_id, std::string_view object_type);

  // Validates `config_json` and stores it as the tenant's configuration of the type,
  // replacing any stored before. Tuples already written stay; relations the new
  // configuration lacks simply grant nothing.
  Status CreateNamespace(std::string_view tenant_id, std::string_view object_type,
                         std::string_view config_json);

  // Removes the tenant's configuration (true), reverting to the default if there is one.
  // A type with only its default is kInvalidArgument; an unknown type is false.
  StatusOr<bool> DeleteNamespace(std::string_view tenant_id, std::string_view object_type);

  // ---- Upkeep, in bounded batches (rebac/purger.h runs them in the background).

  // Deletes up to `limit` tuples, of every tenant, that have expired. The deletions are
  // logged, so graphs in memory drop the tuples too. Returns how many.
  StatusOr<int64_t> PurgeExpiredTuples(int64_t limit);

  // Deletes up to `limit` of the oldest changelog rows written more than `retention_micros`
  // ago, never the latest. A graph behind the rows kept reloads its tenant whole at its next
  // use. Returns how many.
  StatusOr<int64_t> PurgeChangelog(int64_t retention_micros, int64_t limit);

  // Drops every in-memory graph and cached result (benchmarks: a cold start).
  void ClearCaches();

  // The depth limit in force: RebacOptions::max_depth until changed. A change applies to
  // every later evaluation of every tenant and drops the results cached under the old one.
  int max_depth() const { return max_depth_.load(std::memory_order_relaxed); }
  void SetMaxDepth(int depth);

 private:
  int64_t Now() const;
  Status WithGraph(std::string_view tenant_id, const std::function<Status(const TenantGraph&)>& fn);

  storage::Engine& engine_;
  const RebacOptions options_;
  std::atomic<int> max_depth_;
  TenantGraphs graphs_;
  CheckCache results_;
};

// Migrations 3 and 13, ReBAC's tables: generated from migrations/*.sql by cmake/migrations.cmake.
std::span<const storage::Migration> Schema();

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_REBAC_H_

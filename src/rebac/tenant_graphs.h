// Each tenant's tuples and namespaces in memory, kept current with the changelog.
//
// A caller first reads the latest revision (one cheap query), then asks for the tenant's
// graph at that revision or later. A graph behind it catches up by applying the tenant's
// changelog rows since its own revision, or is loaded whole when it was never loaded, the
// gap is large, or rows it needs were purged (changelog.h). Nothing here writes to the
// database.
//
// Concurrency: evaluations hold a tenant's graph shared, so they run in parallel; catching
// up applies changes in place under the exclusive lock (copying a large tenant for every
// write would cost more than the brief wait). One thread at a time catches a tenant up;
// others wanting the same revision wait for it instead of reading the same rows.
#ifndef NEXUS_REBAC_TENANT_GRAPHS_H_
#define NEXUS_REBAC_TENANT_GRAPHS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rebac/graph.h"
#include "rebac/namespace_set.h"
#include "storage/engine.h"
#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace nexus::rebac {

struct TenantGraph {
  int64_t revision = -1;  // the global revision this reflects; -1 until loaded
  int64_t version = -1;   // revision of the latest change applied to this tenant
  Graph graph;
  NamespaceSet namespaces;
};

class TenantGraphs {
 public:
  // `reload_after`: more changelog rows than this behind, a tenant is loaded whole.
  // `now` gives the time used to skip tuples already expired when loading.
  TenantGraphs(storage::Engine& engine, int64_t reload_after, std::function<int64_t()> now)
      : engine_(engine), reload_after_(reload_after), now_(std::move(now)) {}

  // Brings the tenant's graph to `revision` or later and runs `fn` on it, under a shared
  // lock: `fn` must not call back into this object.
  Status With(std::string_view tenant_id, int64_t revision,
              const std::function<Status(const TenantGraph&)>& fn);

  // Forgets every graph (the next use loads from the database).
  void Clear();

 private:
  struct Entry {
    Mutex refresh_mu ACQUIRED_BEFORE(mu);  // held while reading the database to catch up
    SharedMutex mu;                        // shared: evaluating; exclusive: applying changes
    TenantGraph state GUARDED_BY(mu);      // changed only with refresh_mu held too
  };
  struct Update;

  std::shared_ptr<Entry> EntryFor(std::string_view tenant_id) EXCLUDES(mu_);
  Status CatchUp(std::string_view tenant_id, Entry& entry, int64_t revision);
  StatusOr<Update> ReadUpdate(std::string_view tenant_id, int64_t from_revision);
  static void Apply(Update& update, TenantGraph& state);

  storage::Engine& engine_;
  const int64_t reload_after_;
  const std::function<int64_t()> now_;

  Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_ GUARDED_BY(mu_);
};

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_TENANT_GRAPHS_H_

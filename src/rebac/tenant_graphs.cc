#include "rebac/tenant_graphs.h"

#include <optional>
#include <utility>
#include <vector>

#include "rebac/changelog.h"
#include "rebac/namespace_store.h"
#include "rebac/tuple_store.h"
#include "util/mutex.h"

namespace nexus::rebac {

using storage::Tx;

// What one read unit found: either a whole tenant or the changes after a revision.
struct TenantGraphs::Update {
  int64_t revision = 0;
  bool full = false;
  std::vector<Tuple> tuples;               // full
  std::vector<Change> changes;             // incremental
  std::optional<NamespaceSet> namespaces;  // full, or a namespace changed
};

Status TenantGraphs::With(std::string_view tenant_id, int64_t revision,
                          const std::function<Status(const TenantGraph&)>& fn) {
  std::shared_ptr<Entry> entry = EntryFor(tenant_id);
  {
    ReaderMutexLock lock(&entry->mu);
    if (entry->state.revision >= revision) return fn(entry->state);
  }
  RETURN_IF_ERROR(CatchUp(tenant_id, *entry, revision));
  ReaderMutexLock lock(&entry->mu);
  return fn(entry->state);
}

void TenantGraphs::Clear() {
  MutexLock lock(&mu_);
  entries_.clear();
}

std::shared_ptr<TenantGraphs::Entry> TenantGraphs::EntryFor(std::string_view tenant_id) {
  MutexLock lock(&mu_);
  std::shared_ptr<Entry>& entry = entries_[std::string(tenant_id)];
  if (!entry) entry = std::make_shared<Entry>();
  return entry;
}

Status TenantGraphs::CatchUp(std::string_view tenant_id, Entry& entry, int64_t revision) {
  MutexLock refresh(&entry.refresh_mu);
  // Only this thread changes the state now; the shared lock only keeps the analysis exact,
  // as evaluations hold it shared too.
  int64_t from;
  {
    ReaderMutexLock lock(&entry.mu);
    from = entry.state.revision;
  }
  if (from >= revision) return Status::OK();  // another thread caught up meanwhile
  ASSIGN_OR_RETURN(Update update, ReadUpdate(tenant_id, from));
  MutexLock lock(&entry.mu);
  Apply(update, entry.state);
  return Status::OK();
}

StatusOr<TenantGraphs::Update> TenantGraphs::ReadUpdate(std::string_view tenant_id,
                                                        int64_t from_revision) {
  Update update;
  const int64_t now = now_();
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    update = Update{};  // the unit may run more than once
    ASSIGN_OR_RETURN(const RevisionRange range, ReadRevisionRange(tx));
    update.revision = range.latest;
    // Rows after from_revision were purged: catching up from those left would miss changes.
    const bool purged_since = range.oldest > from_revision + 1;
    if (from_revision >= 0 && !purged_since) {
      ASSIGN_OR_RETURN(update.changes,
                       ReadChanges(tx, tenant_id, from_revision, reload_after_ + 1));
      update.full = static_cast<int64_t>(update.changes.size()) > reload_after_;
    } else {
      update.full = true;
    }
    if (update.full) {
      update.changes.clear();
      ASSIGN_OR_RETURN(update.tuples, tuple_store::SelectLive(tx, tenant_id, now));
    }
    bool namespace_changed = update.full;
    for (const Change& c : update.changes) namespace_changed |= c.op == ChangeOp::kNamespace;
    if (namespace_changed) {
      ASSIGN_OR_RETURN(NamespaceSet set, namespace_store::ReadSet(tx, tenant_id));
      update.namespaces = std::move(set);
    }
    return Status::OK();
  }));
  return update;
}

void TenantGraphs::Apply(Update& update, TenantGraph& state) {
  if (update.full) {
    state.graph = Graph();
    for (const Tuple& t : update.tuples) state.graph.Put(t);
    state.version = update.revision;
  }
  for (const Change& c : update.changes) {
    if (c.op == ChangeOp::kWrite) state.graph.Put(c.tuple);
    if (c.op == ChangeOp::kDelete) state.graph.Remove(c.tuple);
    state.version = c.revision;
  }
  if (update.namespaces) state.namespaces = std::move(*update.namespaces);
  state.revision = update.revision;
}

}  // namespace nexus::rebac

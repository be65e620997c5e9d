#include "rebac/rebac.h"

#include <map>
#include <optional>
#include <utility>

#include "rebac/changelog.h"
#include "rebac/checker.h"
#include "rebac/default_namespaces.h"
#include "rebac/eval_context.h"
#include "rebac/expander.h"
#include "rebac/names.h"
#include "rebac/namespace_store.h"
#include "rebac/tuple_store.h"
#include "rebac/tuple_writes.h"
#include "util/clock.h"

namespace nexus::rebac {

using storage::Tx;

namespace {

// Runs a Tx form of a write as its own write unit and returns what the last run produced.
template <typename T, typename F>
StatusOr<T> RunWrite(storage::Engine& engine, F&& body) {
  std::optional<T> result;
  RETURN_IF_ERROR(engine.Write([&](Tx& tx) -> Status {
    result.reset();  // the unit may run more than once
    StatusOr<T> r = body(tx);
    if (!r.ok()) return r.status();
    result.emplace(*std::move(r));
    return Status::OK();
  }));
  if (!result) return Internal("write unit produced no result");
  return *std::move(result);
}

NamespaceInfo DefaultInfo(const std::string& type, const NamespaceConfig& config) {
  NamespaceInfo info;
  info.object_type = type;
  info.config = config;
  info.has_default = true;
  return info;
}

NamespaceInfo CustomInfo(namespace_store::StoredNamespace stored) {
  NamespaceInfo info;
  info.has_default = FindDefaultNamespace(stored.object_type) != nullptr;
  info.object_type = std::move(stored.object_type);
  info.config = std::move(stored.config);
  info.custom = true;
  info.created_at = stored.created_at;
  info.updated_at = stored.updated_at;
  return info;
}

Status CheckNamespaceArgs(std::string_view tenant_id, std::string_view object_type) {
  RETURN_IF_ERROR(CheckTenant(tenant_id));
  return CheckName("object type", object_type);
}

}  // namespace

Rebac::Rebac(storage::Engine& engine, RebacOptions options)
    : engine_(engine),
      options_(std::move(options)),
      max_depth_(options_.max_depth),
      graphs_(engine, options_.reload_after, [this] { return Now(); }),
      results_(options_.max_cached_results) {}

int64_t Rebac::Now() const { return options_.now ? options_.now() : NowMicros(); }

StatusOr<int64_t> Rebac::CurrentRevision() {
  int64_t revision = 0;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(revision, ReadRevision(tx));
    return Status::OK();
  }));
  return revision;
}

Status Rebac::WithGraph(std::string_view tenant_id,
                        const std::function<Status(const TenantGraph&)>& fn) {
  RETURN_IF_ERROR(CheckTenant(tenant_id));
  ASSIGN_OR_RETURN(const int64_t revision, CurrentRevision());
  return graphs_.With(tenant_id, revision, fn);
}

// ---- Evaluation.

StatusOr<bool> Rebac::Check(std::string_view tenant_id, const SubjectRef& subject,
                            std::string_view permission, const ObjectRef& object) {
  ASSIGN_OR_RETURN(const std::vector<bool> results,
                   CheckBulk(tenant_id, subject, permission, {object}));
  return results.front();
}

StatusOr<std::vector<bool>> Rebac::CheckBulk(std::string_view tenant_id, const SubjectRef& subject,
                                             std::string_view permission,
                                             const std::vector<ObjectRef>& objects) {
  std::vector<bool> results(objects.size(), false);
  const int64_t now = Now();
  RETURN_IF_ERROR(WithGraph(tenant_id, [&](const TenantGraph& g) -> Status {
    const EvalContext ctx{g.graph, g.namespaces, now, max_depth()};
    const int64_t valid_until = g.graph.NextExpiry(now);
    std::optional<Checker> checker;  // built at the first miss; its memo serves the rest
    for (size_t i = 0; i < objects.size(); ++i) {
      std::string key = CheckCache::Key(tenant_id, subject, permission, objects[i]);
      if (std::optional<bool> hit = results_.Find(key, g.version, now)) {
        results[i] = *hit;
        continue;
      }
      if (!checker) checker.emplace(ctx, subject);
      ASSIGN_OR_RETURN(const bool allowed, checker->Check(permission, objects[i]));
      results[i] = allowed;
      results_.Insert(std::move(key), g.version, allowed, valid_until);
    }
    return Status::OK();
  }));
  return results;
}

StatusOr<std::vector<SubjectRef>> Rebac::Expand(std::string_view tenant_id,
                                                std::string_view permission,
                                                const ObjectRef& object) {
  std::vector<SubjectRef> subjects;
  const int64_t now = Now();
  RETURN_IF_ERROR(WithGraph(tenant_id, [&](const TenantGraph& g) -> Status {
    const EvalContext ctx{g.graph, g.namespaces, now, max_depth()};
    ASSIGN_OR_RETURN(subjects, Expander(ctx).Expand(permission, object));
    return Status::OK();
  }));
  return subjects;
}

StatusOr<Explanation> Rebac::Explain(std::string_view tenant_id, const SubjectRef& subject,
                                     std::string_view permission, const ObjectRef& object) {
  Explanation explanation;
  const int64_t now = Now();
  RETURN_IF_ERROR(WithGraph(tenant_id, [&](const TenantGraph& g) -> Status {
    const EvalContext ctx{g.graph, g.namespaces, now, max_depth()};
    ASSIGN_OR_RETURN(explanation,
                     Checker(ctx, subject, /*explain=*/true).Explain(permission, object));
    return Status::OK();
  }));
  return explanation;
}

// ---- Tuples: reads.

StatusOr<std::vector<Tuple>> Rebac::ListTuples(std::string_view tenant_id,
                                               const TupleFilter& filter) {
  RETURN_IF_ERROR(CheckTenant(tenant_id));
  if (filter.limit < 0 || filter.offset < 0) {
    return InvalidArgument("limit and offset must not be negative");
  }
  std::vector<Tuple> tuples;
  const int64_t now = Now();
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(tuples, tuple_store::Select(tx, tenant_id, filter, now));
    return Status::OK();
  }));
  return tuples;
}

StatusOr<Tuple> Rebac::GetTuple(std::string_view tenant_id, std::string_view tuple_id) {
  RETURN_IF_ERROR(CheckTenant(tenant_id));
  std::optional<Tuple> tuple;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(tuple, tuple_store::FindById(tx, tenant_id, tuple_id));
    return Status::OK();
  }));
  if (!tuple || (tuple->expires_at && *tuple->expires_at < Now())) {
    return NotFound("tuple not found: " + Printable(tuple_id));
  }
  return *std::move(tuple);
}

// ---- Tuples: writes.

StatusOr<WriteResult> Rebac::WriteTuple(Tx& tx, const TupleWrite& write) {
  return tuple_writes::Write(tx, write, Now());
}

StatusOr<WriteResult> Rebac::WriteTuple(const TupleWrite& write) {
  return RunWrite<WriteResult>(engine_, [&](Tx& tx) { return WriteTuple(tx, write); });
}

StatusOr<bool> Rebac::DeleteTuple(Tx& tx, std::string_view tenant_id, std::string_view tuple_id) {
  RETURN_IF_ERROR(CheckTenant(tenant_id));
  return tuple_writes::Delete(tx, tenant_id, tuple_id, Now());
}

StatusOr<bool> Rebac::DeleteTuple(std::string_view tenant_id, std::string_view tuple_id) {
  return RunWrite<bool>(engine_, [&](Tx& tx) { return DeleteTuple(tx, tenant_id, tuple_id); });
}

StatusOr<int64_t> Rebac::DeleteMatching(Tx& tx, std::string_view tenant_id,
                                        const TupleFilter& filter) {
  return tuple_writes::DeleteMatching(tx, tenant_id, filter, Now());
}

StatusOr<int64_t> Rebac::DeleteMatching(std::string_view tenant_id, const TupleFilter& filter) {
  return RunWrite<int64_t>(engine_, [&](Tx& tx) { return DeleteMatching(tx, tenant_id, filter); });
}

Status Rebac::RenameObjects(Tx& tx, std::string_view tenant_id, std::string_view type,
                            std::string_view old_id, std::string_view new_id) {
  return tuple_writes::RenameObjects(tx, tenant_id, type, old_id, new_id, Now()).status();
}

Status Rebac::RenameObjects(std::string_view tenant_id, std::string_view type,
                            std::string_view old_id, std::string_view new_id) {
  return engine_.Write([&](Tx& tx) { return RenameObjects(tx, tenant_id, type, old_id, new_id); });
}

Status Rebac::RemoveObjects(Tx& tx, std::string_view tenant_id, std::string_view type,
                            std::string_view id) {
  return tuple_writes::RemoveObjects(tx, tenant_id, type, id, Now()).status();
}

StatusOr<int64_t> Rebac::RemoveObjects(std::string_view tenant_id, std::string_view type,
                                       std::string_view id) {
  int64_t removed = 0;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tuple_writes::RemoveObjects(tx, tenant_id, type, id, Now()));
    return Status::OK();
  }));
  return removed;
}

// ---- Namespaces.

StatusOr<std::vector<NamespaceInfo>> Rebac::ListNamespaces(std::string_view tenant_id) {
  RETURN_IF_ERROR(CheckTenant(tenant_id));
  std::vector<namespace_store::StoredNamespace> stored;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(stored, namespace_store::ReadAll(tx, tenant_id));
    return Status::OK();
  }));
  std::map<std::string, NamespaceInfo> by_type;
  for (const auto& [type, config] : DefaultNamespaces()) by_type[type] = DefaultInfo(type, config);
  for (auto& ns : stored) by_type[ns.object_type] = CustomInfo(std::move(ns));
  std::vector<NamespaceInfo> all;
  for (auto& [type, info] : by_type) all.push_back(std::move(info));
  return all;
}

StatusOr<NamespaceInfo> Rebac::GetNamespace(std::string_view tenant_id,
                                            std::string_view object_type) {
  RETURN_IF_ERROR(CheckNamespaceArgs(tenant_id, object_type));
  std::optional<namespace_store::StoredNamespace> stored;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(stored, namespace_store::Read(tx, tenant_id, object_type));
    return Status::OK();
  }));
  if (stored) return CustomInfo(*std::move(stored));
  const NamespaceConfig* config = FindDefaultNamespace(object_type);
  if (config == nullptr) return NotFound("no namespace for object type " + Printable(object_type));
  return DefaultInfo(std::string(object_type), *config);
}

Status Rebac::CreateNamespace(std::string_view tenant_id, std::string_view object_type,
                              std::string_view config_json) {
  RETURN_IF_ERROR(CheckNamespaceArgs(tenant_id, object_type));
  ASSIGN_OR_RETURN(const NamespaceConfig config, ParseNamespaceConfig(config_json));
  const int64_t now = Now();
  return engine_.Write(
      [&](Tx& tx) { return namespace_store::Put(tx, tenant_id, object_type, config, now); });
}

StatusOr<bool> Rebac::DeleteNamespace(std::string_view tenant_id, std::string_view object_type) {
  RETURN_IF_ERROR(CheckNamespaceArgs(tenant_id, object_type));
  const int64_t now = Now();
  ASSIGN_OR_RETURN(const bool removed, RunWrite<bool>(engine_, [&](Tx& tx) {
                     return namespace_store::Remove(tx, tenant_id, object_type, now);
                   }));
  if (!removed && FindDefaultNamespace(object_type) != nullptr) {
    return InvalidArgument("the built-in namespace " + Printable(object_type) +
                           " cannot be deleted");
  }
  return removed;
}

// ---- Upkeep.

StatusOr<int64_t> Rebac::PurgeExpiredTuples(int64_t limit) {
  return RunWrite<int64_t>(engine_,
                           [&](Tx& tx) { return tuple_writes::DeleteExpired(tx, Now(), limit); });
}

StatusOr<int64_t> Rebac::PurgeChangelog(int64_t retention_micros, int64_t limit) {
  return RunWrite<int64_t>(
      engine_, [&](Tx& tx) { return PurgeChanges(tx, Now() - retention_micros, limit); });
}

void Rebac::ClearCaches() {
  graphs_.Clear();
  results_.Clear();
}

void Rebac::SetMaxDepth(int depth) {
  max_depth_.store(depth, std::memory_order_relaxed);
  results_.Clear();
}

}  // namespace nexus::rebac

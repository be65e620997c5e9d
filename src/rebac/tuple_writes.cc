#include "rebac/tuple_writes.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "rebac/changelog.h"
#include "rebac/names.h"
#include "rebac/namespace_store.h"
#include "rebac/tuple_store.h"
#include "util/ids.h"
#include "util/path.h"

namespace nexus::rebac::tuple_writes {

using storage::Tx;

namespace {

constexpr size_t kMaxConditionsBytes = 64 * 1024;

Status CheckSameTenant(const TupleWrite& w) {
  for (const std::string* other : {&w.subject_tenant, &w.object_tenant}) {
    if (!other->empty() && *other != w.tenant_id) {
      return PermissionDenied("cross-tenant tuples are not allowed: tuple of tenant " +
                              Printable(w.tenant_id) + " names tenant " + Printable(*other));
    }
  }
  return Status::OK();
}

Status CheckConditions(const std::optional<std::string>& conditions) {
  if (!conditions) return Status::OK();
  if (conditions->size() > kMaxConditionsBytes) {
    return InvalidArgument("conditions are too long (at most " +
                           std::to_string(kMaxConditionsBytes) + " bytes)");
  }
  if (!nlohmann::json::accept(*conditions)) return InvalidArgument("conditions are not valid JSON");
  return Status::OK();
}

Status CheckFields(const TupleWrite& w, int64_t now) {
  RETURN_IF_ERROR(CheckTenant(w.tenant_id));
  RETURN_IF_ERROR(CheckSameTenant(w));
  RETURN_IF_ERROR(CheckObject(w.object));
  RETURN_IF_ERROR(CheckName("relation", w.relation));
  RETURN_IF_ERROR(CheckSubject(w.subject));
  if (w.expires_at && *w.expires_at < now) {
    return InvalidArgument("expires_at is in the past");
  }
  return CheckConditions(w.conditions);
}

// The relation must be stored directly: tuples under computed names would be inert, which
// is how the reference let such tuples pile up unnoticed.
Status CheckRelation(Tx& tx, const TupleWrite& w) {
  ASSIGN_OR_RETURN(const NamespaceConfig config,
                   namespace_store::ReadEffective(tx, w.tenant_id, w.object.type));
  const RelationDef* def = config.FindRelation(w.relation);
  const std::string where =
      "relation " + Printable(w.relation) + " of object type " + Printable(w.object.type);
  if (def == nullptr) return InvalidArgument("unknown " + where);
  if (def->kind != RelationDef::Kind::kDirect) {
    return InvalidArgument(where + " is computed (" + std::string(KindName(def->kind)) +
                           "); write one of the direct relations it is made of");
  }
  if (w.object.type == kFileType && w.relation == kParentRelation) {
    return InvalidArgument("parent relations of files follow their paths");
  }
  return Status::OK();
}

Status CheckSubjectType(Tx& tx, const TupleWrite& w) {
  if (w.subject.is_wildcard()) return Status::OK();
  ASSIGN_OR_RETURN(const NamespaceConfig config,
                   namespace_store::ReadEffective(tx, w.tenant_id, w.subject.type));
  if (w.subject.is_userset() && config.FindRelation(w.subject.relation) == nullptr) {
    return InvalidArgument("unknown relation " + Printable(w.subject.relation) +
                           " of subject type " + Printable(w.subject.type));
  }
  return Status::OK();
}

Tuple TupleFromWrite(const TupleWrite& w, int64_t now) {
  Tuple t;
  t.tuple_id = NewUuid4();
  t.tenant_id = w.tenant_id;
  t.object = w.object;
  t.relation = w.relation;
  t.subject = w.subject;
  t.expires_at = w.expires_at;
  t.conditions = w.conditions;
  t.created_at = now;
  return t;
}

// A concurrent writer stored the same key after this unit looked for it (PostgreSQL may
// report that as a duplicate rather than a serialization failure): run the unit again,
// which then finds the tuple.
Status RetryOnDuplicate(Status s) {
  if (s.code() != Code::kAlreadyExists) return s;
  return Status(Code::kRetry, "tuple written concurrently: " + s.message());
}

// Deletes a stored tuple and logs it.
Status DeleteLogged(Tx& tx, ChangelogWriter& log, const Tuple& tuple) {
  RETURN_IF_ERROR(tuple_store::Delete(tx, tuple.tuple_id));
  return log.Append(ChangeOp::kDelete, tuple).status();
}

// `id` renamed from old_id to new_id, or unchanged when it is not old_id (or below it).
std::string Renamed(const std::string& id, std::string_view old_id, std::string_view new_id,
                    bool subtree) {
  if (id == old_id) return std::string(new_id);
  if (subtree && IsSameOrUnder(id, old_id)) return std::string(new_id) + id.substr(old_id.size());
  return id;
}

using TuplesById = std::map<std::string, Tuple>;

// The tuples naming (type, old_id) as object or subject, by id (a tuple may do both).
StatusOr<TuplesById> TuplesNaming(Tx& tx, std::string_view tenant_id, std::string_view type,
                                  std::string_view old_id, bool subtree) {
  TuplesById tuples;
  for (const bool subjects : {false, true}) {
    ASSIGN_OR_RETURN(std::vector<Tuple> found,
                     tuple_store::SelectById(tx, tenant_id, type, old_id, subtree, subjects));
    for (Tuple& t : found) tuples.emplace(t.tuple_id, std::move(t));
  }
  return tuples;
}

Status CheckRename(std::string_view tenant_id, std::string_view type, std::string_view old_id,
                   std::string_view new_id) {
  RETURN_IF_ERROR(CheckTenant(tenant_id));
  RETURN_IF_ERROR(CheckObject({std::string(type), std::string(old_id)}));
  RETURN_IF_ERROR(CheckObject({std::string(type), std::string(new_id)}));
  if (type == kFileType && old_id != new_id && IsSameOrUnder(new_id, old_id)) {
    return InvalidArgument("cannot move " + Printable(old_id) + " below itself");
  }
  return Status::OK();
}

}  // namespace

StatusOr<WriteResult> Write(Tx& tx, const TupleWrite& w, int64_t now) {
  RETURN_IF_ERROR(CheckFields(w, now));
  RETURN_IF_ERROR(CheckRelation(tx, w));
  RETURN_IF_ERROR(CheckSubjectType(tx, w));

  Tuple tuple = TupleFromWrite(w, now);
  ASSIGN_OR_RETURN(std::optional<Tuple> existing, tuple_store::FindByKey(tx, tuple));
  ChangelogWriter log(tx, now);
  if (existing) {
    const bool live = !existing->expires_at || *existing->expires_at >= now;
    if (live && existing->expires_at == w.expires_at && existing->conditions == w.conditions) {
      return WriteResult{existing->tuple_id, false, 0};
    }
    // Same key, new expiry or conditions (or an expired tuple written again): the key is
    // unique, so the stored tuple takes the new attributes and keeps its id.
    existing->expires_at = w.expires_at;
    existing->conditions = w.conditions;
    RETURN_IF_ERROR(tuple_store::UpdateAttributes(tx, *existing));
    ASSIGN_OR_RETURN(const int64_t revision, log.Append(ChangeOp::kWrite, *existing));
    return WriteResult{existing->tuple_id, true, revision};
  }
  RETURN_IF_ERROR(RetryOnDuplicate(tuple_store::Insert(tx, tuple)));
  ASSIGN_OR_RETURN(const int64_t revision, log.Append(ChangeOp::kWrite, tuple));
  return WriteResult{tuple.tuple_id, true, revision};
}

StatusOr<bool> Delete(Tx& tx, std::string_view tenant_id, std::string_view tuple_id, int64_t now) {
  ASSIGN_OR_RETURN(std::optional<Tuple> tuple, tuple_store::FindById(tx, tenant_id, tuple_id));
  if (!tuple) return false;
  ChangelogWriter log(tx, now);
  RETURN_IF_ERROR(DeleteLogged(tx, log, *tuple));
  return true;
}

StatusOr<int64_t> DeleteMatching(Tx& tx, std::string_view tenant_id, const TupleFilter& filter,
                                 int64_t now) {
  RETURN_IF_ERROR(CheckTenant(tenant_id));
  if (!filter.subject && !filter.relation && !filter.object) {
    return InvalidArgument("deleting tuples needs a subject, relation or object to match");
  }
  TupleFilter all = filter;
  all.include_expired = true;
  all.limit = 0;
  all.offset = 0;
  ASSIGN_OR_RETURN(const std::vector<Tuple> tuples, tuple_store::Select(tx, tenant_id, all, now));
  ChangelogWriter log(tx, now);
  for (const Tuple& t : tuples) RETURN_IF_ERROR(DeleteLogged(tx, log, t));
  return static_cast<int64_t>(tuples.size());
}

StatusOr<int64_t> DeleteExpired(Tx& tx, int64_t now, int64_t limit) {
  ASSIGN_OR_RETURN(const std::vector<Tuple> tuples, tuple_store::SelectExpired(tx, now, limit));
  ChangelogWriter log(tx, now);
  for (const Tuple& t : tuples) RETURN_IF_ERROR(DeleteLogged(tx, log, t));
  return static_cast<int64_t>(tuples.size());
}

StatusOr<int64_t> RenameObjects(Tx& tx, std::string_view tenant_id, std::string_view type,
                                std::string_view old_id, std::string_view new_id, int64_t now) {
  RETURN_IF_ERROR(CheckRename(tenant_id, type, old_id, new_id));
  if (old_id == new_id) return 0;
  const bool subtree = type == kFileType;
  ASSIGN_OR_RETURN(TuplesById tuples, TuplesNaming(tx, tenant_id, type, old_id, subtree));
  ChangelogWriter log(tx, now);
  std::set<std::string> replaced;  // moved tuples deleted because another took their key
  int64_t moved = 0;
  for (auto& [id, old_tuple] : tuples) {
    if (replaced.count(id) > 0) continue;
    Tuple tuple = old_tuple;
    if (tuple.object.type == type)
      tuple.object.id = Renamed(tuple.object.id, old_id, new_id, subtree);
    if (tuple.subject.type == type) {
      tuple.subject.id = Renamed(tuple.subject.id, old_id, new_id, subtree);
    }
    ASSIGN_OR_RETURN(std::optional<Tuple> occupant, tuple_store::FindByKey(tx, tuple));
    if (occupant && occupant->tuple_id != id) {
      RETURN_IF_ERROR(DeleteLogged(tx, log, *occupant));
      replaced.insert(occupant->tuple_id);
    }
    RETURN_IF_ERROR(RetryOnDuplicate(tuple_store::UpdateIds(tx, tuple)));
    RETURN_IF_ERROR(log.Append(ChangeOp::kDelete, old_tuple).status());
    RETURN_IF_ERROR(log.Append(ChangeOp::kWrite, tuple).status());
    ++moved;
  }
  return moved;
}

StatusOr<int64_t> RemoveObjects(Tx& tx, std::string_view tenant_id, std::string_view type,
                                std::string_view id, int64_t now) {
  RETURN_IF_ERROR(CheckTenant(tenant_id));
  RETURN_IF_ERROR(CheckObject({std::string(type), std::string(id)}));
  ASSIGN_OR_RETURN(const std::vector<Tuple> tuples,
                   tuple_store::SelectById(tx, tenant_id, type, id, type == kFileType, false));
  ChangelogWriter log(tx, now);
  for (const Tuple& t : tuples) RETURN_IF_ERROR(DeleteLogged(tx, log, t));
  return static_cast<int64_t>(tuples.size());
}

}  // namespace nexus::rebac::tuple_writes

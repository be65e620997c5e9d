#include "rebac/checker.h"

#include <algorithm>
#include <climits>
#include <utility>

namespace nexus::rebac {
namespace {

std::string TupleText(const ObjectRef& object, std::string_view relation,
                      const SubjectRef& subject) {
  return ToString(object) + "#" + std::string(relation) + "@" + ToString(subject);
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

Checker::Checker(const EvalContext& ctx, SubjectRef subject, bool explain)
    : ctx_(ctx),
      subject_(std::move(subject)),
      subject_key_(SubjectKey(subject_)),
      wildcard_key_(SubjectKey(SubjectRef::Wildcard())),
      explain_(explain) {}

StatusOr<bool> Checker::Check(std::string_view permission, const ObjectRef& object) {
  ASSIGN_OR_RETURN(const std::vector<std::string> relations,
                   ctx_.namespaces.PermissionRelations(object.type, permission));
  for (const std::string& relation : relations) {
    int low = INT_MAX;
    ASSIGN_OR_RETURN(const bool allowed, Holds(object, relation, 0, &low));
    if (allowed) return true;
  }
  return false;
}

StatusOr<Explanation> Checker::Explain(std::string_view permission, const ObjectRef& object) {
  ASSIGN_OR_RETURN(const std::vector<std::string> relations,
                   ctx_.namespaces.PermissionRelations(object.type, permission));
  Explanation explanation;
  for (const std::string& relation : relations) {
    int low = INT_MAX;
    ASSIGN_OR_RETURN(const bool allowed, Holds(object, relation, 0, &low));
    if (!allowed) continue;
    explanation.allowed = true;
    explanation.path = Derivation(ObjectKey(object.type, object.id, relation));
    explanation.reason = ToString(subject_) + " has " + std::string(permission) + " on " +
                         ToString(object) + " through relation " + relation;
    return explanation;
  }
  explanation.reason = "no relation granting " + std::string(permission) + " on " +
                       ToString(object) + " (" + Join(relations) + ") reaches " +
                       ToString(subject_);
  return explanation;
}

StatusOr<bool> Checker::Holds(const ObjectRef& object, const std::string& relation, int hops,
                              int* low) {
  std::string key = ObjectKey(object.type, object.id, relation);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  if (auto it = active_.find(key); it != active_.end()) {
    *low = std::min(*low, it->second);
    return false;  // a cycle: this branch adds nothing the frame below does not
  }
  const RelationDef* def = FindRelationDef(ctx_, object.type, relation);
  if (def == nullptr) return false;
  if (hops > ctx_.max_depth) return DepthExceeded("check", ctx_.max_depth, object, relation);

  const int position = static_cast<int>(active_.size());
  active_.emplace(key, position);
  int my_low = INT_MAX;
  StatusOr<bool> result = Evaluate(object, relation, *def, hops, &my_low);
  active_.erase(key);
  if (!result.ok()) return result;
  if (*result || my_low >= position) {
    memo_.emplace(std::move(key), *result);
  } else {
    *low = std::min(*low, my_low);
  }
  return result;
}

StatusOr<bool> Checker::Evaluate(const ObjectRef& object, const std::string& relation,
                                 const RelationDef& def, int hops, int* low) {
  switch (def.kind) {
    case RelationDef::Kind::kDirect:
      return HoldsDirect(object, relation, hops, low);
    case RelationDef::Kind::kUnion:
      return HoldsUnion(object, relation, def, hops, low);
    case RelationDef::Kind::kTupleToUserset:
      return HoldsArrow(object, relation, def, hops, low);
  }
  return Internal("unknown relation kind");
}

StatusOr<bool> Checker::HoldsDirect(const ObjectRef& object, const std::string& relation, int hops,
                                    int* low) {
  if (IsFileParent(object, relation)) {
    std::string parent;
    const bool is_parent = !subject_.is_userset() && subject_.type == kFileType &&
                           FileParent(object.id, &parent) && parent == subject_.id;
    if (is_parent) Justify(object, relation, TupleText(object, relation, subject_), "");
    return is_parent;
  }
  const RelationEdges* edges = ctx_.graph.Find(object.type, object.id, relation);
  if (edges == nullptr) return false;
  // The subject itself, or the wildcard, which stands for every subject.
  const auto& same_kind = subject_.is_userset() ? edges->usersets : edges->concrete;
  for (const auto& [map, key] :
       {std::pair{&same_kind, &subject_key_}, std::pair{&edges->concrete, &wildcard_key_}}) {
    auto it = map->find(*key);
    if (it != map->end() && it->second.live(ctx_.now)) {
      Justify(object, relation, TupleText(object, relation, it->second.subject), "");
      return true;
    }
  }
  for (const auto& [key, edge] : edges->usersets) {
    if (!edge.live(ctx_.now)) continue;
    const SubjectRef& userset = edge.subject;
    ASSIGN_OR_RETURN(const bool held, Holds(userset.object(), userset.relation, hops + 1, low));
    if (held) {
      Justify(object, relation, TupleText(object, relation, userset),
              ObjectKey(userset.type, userset.id, userset.relation));
      return true;
    }
  }
  return false;
}

StatusOr<bool> Checker::HoldsUnion(const ObjectRef& object, const std::string& relation,
                                   const RelationDef& def, int hops, int* low) {
  for (const std::string& child : def.children) {
    ASSIGN_OR_RETURN(const bool held, Holds(object, child, hops, low));
    if (held) {
      Justify(object, relation, "", ObjectKey(object.type, object.id, child));
      return true;
    }
  }
  return false;
}

StatusOr<bool> Checker::HoldsArrow(const ObjectRef& object, const std::string& relation,
                                   const RelationDef& def, int hops, int* low) {
  for (const ObjectRef& target : TuplesetObjects(ctx_, object, def.tupleset)) {
    if (FindRelationDef(ctx_, target.type, def.computed_userset) == nullptr) continue;
    ASSIGN_OR_RETURN(const bool held, Holds(target, def.computed_userset, hops + 1, low));
    if (held) {
      Justify(object, relation, TupleText(object, def.tupleset, SubjectRef{target.type, target.id}),
              ObjectKey(target.type, target.id, def.computed_userset));
      return true;
    }
  }
  return false;
}

void Checker::Justify(const ObjectRef& object, std::string_view relation, std::string text,
                      std::string next) {
  if (!explain_) return;
  steps_.try_emplace(ObjectKey(object.type, object.id, relation),
                     Step{std::move(text), std::move(next)});
}

std::vector<std::string> Checker::Derivation(const std::string& key) const {
  std::vector<std::string> path;
  std::string current = key;
  // Each step leads to a node that was true before it; the bound is a guard only.
  for (size_t i = 0; i <= steps_.size(); ++i) {
    auto it = steps_.find(current);
    if (it == steps_.end()) break;
    if (!it->second.text.empty()) path.push_back(it->second.text);
    if (it->second.next.empty()) break;
    current = it->second.next;
  }
  std::reverse(path.begin(), path.end());  // from the subject's tuple to the object's
  return path;
}

}  // namespace nexus::rebac

#include "rebac/expander.h"

#include <algorithm>
#include <climits>
#include <utility>

namespace nexus::rebac {

StatusOr<std::vector<SubjectRef>> Expander::Expand(std::string_view permission,
                                                   const ObjectRef& object) {
  ASSIGN_OR_RETURN(const std::vector<std::string> relations,
                   ctx_.namespaces.PermissionRelations(object.type, permission));
  SubjectSet subjects;
  for (const std::string& relation : relations) {
    int low = INT_MAX;
    RETURN_IF_ERROR(Collect(object, relation, 0, &low, &subjects));
  }
  return std::vector<SubjectRef>(subjects.begin(), subjects.end());
}

Status Expander::Collect(const ObjectRef& object, const std::string& relation, int hops, int* low,
                         SubjectSet* out) {
  std::string key = ObjectKey(object.type, object.id, relation);
  if (auto it = memo_.find(key); it != memo_.end()) {
    out->insert(it->second.begin(), it->second.end());
    return Status::OK();
  }
  if (auto it = active_.find(key); it != active_.end()) {
    *low = std::min(*low, it->second);
    return Status::OK();  // a cycle: the frame below collects these subjects already
  }
  const RelationDef* def = FindRelationDef(ctx_, object.type, relation);
  if (def == nullptr) return Status::OK();
  if (hops > ctx_.max_depth) return DepthExceeded("expansion", ctx_.max_depth, object, relation);

  const int position = static_cast<int>(active_.size());
  active_.emplace(key, position);
  int my_low = INT_MAX;
  SubjectSet mine;
  Status status = Evaluate(object, relation, *def, hops, &my_low, &mine);
  active_.erase(key);
  RETURN_IF_ERROR(status);
  out->insert(mine.begin(), mine.end());
  if (my_low >= position) {
    memo_.emplace(std::move(key), std::move(mine));
  } else {
    *low = std::min(*low, my_low);
  }
  return Status::OK();
}

Status Expander::Evaluate(const ObjectRef& object, const std::string& relation,
                          const RelationDef& def, int hops, int* low, SubjectSet* out) {
  switch (def.kind) {
    case RelationDef::Kind::kDirect:
      return CollectDirect(object, relation, hops, low, out);
    case RelationDef::Kind::kUnion:
      for (const std::string& child : def.children) {
        RETURN_IF_ERROR(Collect(object, child, hops, low, out));
      }
      return Status::OK();
    case RelationDef::Kind::kTupleToUserset:
      for (const ObjectRef& target : TuplesetObjects(ctx_, object, def.tupleset)) {
        RETURN_IF_ERROR(Collect(target, def.computed_userset, hops + 1, low, out));
      }
      return Status::OK();
  }
  return Internal("unknown relation kind");
}

Status Expander::CollectDirect(const ObjectRef& object, const std::string& relation, int hops,
                               int* low, SubjectSet* out) {
  if (IsFileParent(object, relation)) {
    std::string parent;
    if (FileParent(object.id, &parent)) out->insert(SubjectRef{std::string(kFileType), parent});
    return Status::OK();
  }
  const RelationEdges* edges = ctx_.graph.Find(object.type, object.id, relation);
  if (edges == nullptr) return Status::OK();
  for (const auto& [key, edge] : edges->concrete) {
    if (edge.live(ctx_.now)) out->insert(edge.subject);
  }
  for (const auto& [key, edge] : edges->usersets) {
    if (!edge.live(ctx_.now)) continue;
    RETURN_IF_ERROR(Collect(edge.subject.object(), edge.subject.relation, hops + 1, low, out));
  }
  return Status::OK();
}

}  // namespace nexus::rebac

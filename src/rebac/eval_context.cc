#include "rebac/eval_context.h"

namespace nexus::rebac {

const RelationDef* FindRelationDef(const EvalContext& ctx, std::string_view type,
                                   std::string_view relation) {
  const NamespaceConfig* config = ctx.namespaces.Find(type);
  return config == nullptr ? nullptr : config->FindRelation(relation);
}

bool IsFileParent(const ObjectRef& object, std::string_view relation) {
  return object.type == kFileType && relation == kParentRelation;
}

std::vector<ObjectRef> TuplesetObjects(const EvalContext& ctx, const ObjectRef& object,
                                       std::string_view tupleset) {
  std::vector<ObjectRef> objects;
  if (IsFileParent(object, tupleset)) {
    std::string parent;
    if (FileParent(object.id, &parent)) objects.push_back({std::string(kFileType), parent});
    return objects;
  }
  const RelationEdges* edges = ctx.graph.Find(object.type, object.id, tupleset);
  if (edges == nullptr) return objects;
  for (const auto* map : {&edges->concrete, &edges->usersets}) {
    for (const auto& [key, edge] : *map) {
      if (edge.live(ctx.now) && !edge.subject.is_wildcard()) {
        objects.push_back(edge.subject.object());
      }
    }
  }
  return objects;
}

Status DepthExceeded(std::string_view what, int max_depth, const ObjectRef& object,
                     std::string_view relation) {
  return Internal("permission " + std::string(what) + " exceeded depth limit " +
                  std::to_string(max_depth) + " at " + ToString(object) + "#" +
                  std::string(relation));
}

}  // namespace nexus::rebac

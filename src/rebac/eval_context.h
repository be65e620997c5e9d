// What one evaluation (check, expand, explain) reads: a tenant's tuples and namespaces as
// of one revision, the clock for expiry, and the depth limit. Evaluation is pure: it never
// touches the database.
#ifndef NEXUS_REBAC_EVAL_CONTEXT_H_
#define NEXUS_REBAC_EVAL_CONTEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rebac/graph.h"
#include "rebac/namespace_set.h"
#include "rebac/refs.h"
#include "util/status.h"

namespace nexus::rebac {

inline constexpr int kDefaultMaxDepth = 50;

struct EvalContext {
  const Graph& graph;
  const NamespaceSet& namespaces;
  int64_t now = 0;                   // tuples with expires_at < now are ignored
  int max_depth = kDefaultMaxDepth;  // hops from one object to another (usersets, arrows)
};

// The definition of `relation` on `type`, or null when either is unknown: such a branch
// grants nothing (only the checked object's own type must be known).
const RelationDef* FindRelationDef(const EvalContext& ctx, std::string_view type,
                                   std::string_view relation);

// The objects X of the live tuples (object, tupleset, X), a userset's relation dropped and
// the wildcard skipped; for files, `parent` is the parent computed from the path.
std::vector<ObjectRef> TuplesetObjects(const EvalContext& ctx, const ObjectRef& object,
                                       std::string_view tupleset);

// True when (object, relation) is the computed parent relation of a file.
bool IsFileParent(const ObjectRef& object, std::string_view relation);

// kInternal "permission <what> exceeded depth limit <n> at <object>#<relation>".
Status DepthExceeded(std::string_view what, int max_depth, const ObjectRef& object,
                     std::string_view relation);

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_EVAL_CONTEXT_H_

// Expand: every concrete subject that holds a permission on an object.
//
// Usersets are expanded into their members and file parents are followed; the wildcard
// *:* is reported as itself (it stands for everyone). Cycles and the depth limit are
// handled as in Checker, and so is memoisation: a set computed while a cycle was cut above
// its own frame may be incomplete and is not memoised.
#ifndef NEXUS_REBAC_EXPANDER_H_
#define NEXUS_REBAC_EXPANDER_H_

#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rebac/eval_context.h"
#include "rebac/refs.h"
#include "util/status.h"

namespace nexus::rebac {

class Expander {
 public:
  explicit Expander(const EvalContext& ctx) : ctx_(ctx) {}

  // Sorted by (type, id), without duplicates. Unknown types and permissions are
  // kInvalidArgument.
  StatusOr<std::vector<SubjectRef>> Expand(std::string_view permission, const ObjectRef& object);

 private:
  using SubjectSet = std::set<SubjectRef>;

  // Adds the subjects holding `relation` on `object` to `out`.
  Status Collect(const ObjectRef& object, const std::string& relation, int hops, int* low,
                 SubjectSet* out);
  Status Evaluate(const ObjectRef& object, const std::string& relation, const RelationDef& def,
                  int hops, int* low, SubjectSet* out);
  Status CollectDirect(const ObjectRef& object, const std::string& relation, int hops, int* low,
                       SubjectSet* out);

  const EvalContext& ctx_;
  std::unordered_map<std::string, SubjectSet> memo_;  // by ObjectKey; complete sets only
  std::unordered_map<std::string, int> active_;       // ObjectKey -> stack position
};

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_EXPANDER_H_

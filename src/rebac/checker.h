// Check: does one subject hold a permission on an object? Also explains the answer.
//
// Evaluation walks the relation graph depth first. Within one Checker (one subject, any
// number of objects: CheckBulk) results are memoised. A (object, relation) already being
// evaluated yields false on that branch, which ends cycles; a false that leaned on such a
// cut above its own frame is not memoised, because it may turn true once the frame it
// leaned on is decided (a true is always final). More than max_depth hops from object to
// object fails with a clear kInternal error, so a deep chain never exhausts the stack.
#ifndef NEXUS_REBAC_CHECKER_H_
#define NEXUS_REBAC_CHECKER_H_

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rebac/eval_context.h"
#include "rebac/explanation.h"
#include "rebac/refs.h"
#include "util/status.h"

namespace nexus::rebac {

class Checker {
 public:
  // With `explain`, remembers how each true result was derived (for Explain).
  Checker(const EvalContext& ctx, SubjectRef subject, bool explain = false);

  // Unknown object types and permissions are kInvalidArgument.
  StatusOr<bool> Check(std::string_view permission, const ObjectRef& object);

  // Check, with the derivation when allowed. Requires `explain`.
  StatusOr<Explanation> Explain(std::string_view permission, const ObjectRef& object);

 private:
  // How a true (object, relation) was derived: a tuple (text, may be empty for computed
  // relations) and the node it leads on to (empty at the subject).
  struct Step {
    std::string text;
    std::string next;
  };

  // Whether the subject holds `relation` on `object`. `low` is lowered to the stack
  // position of any frame a cycle cut leaned on.
  StatusOr<bool> Holds(const ObjectRef& object, const std::string& relation, int hops, int* low);
  StatusOr<bool> Evaluate(const ObjectRef& object, const std::string& relation,
                          const RelationDef& def, int hops, int* low);
  StatusOr<bool> HoldsDirect(const ObjectRef& object, const std::string& relation, int hops,
                             int* low);
  StatusOr<bool> HoldsUnion(const ObjectRef& object, const std::string& relation,
                            const RelationDef& def, int hops, int* low);
  StatusOr<bool> HoldsArrow(const ObjectRef& object, const std::string& relation,
                            const RelationDef& def, int hops, int* low);

  // Records the step of a true (object, relation) when explaining.
  void Justify(const ObjectRef& object, std::string_view relation, std::string text,
               std::string next);
  std::vector<std::string> Derivation(const std::string& key) const;

  const EvalContext& ctx_;
  const SubjectRef subject_;
  const std::string subject_key_;
  const std::string wildcard_key_;
  const bool explain_;

  std::unordered_map<std::string, bool> memo_;   // by ObjectKey
  std::unordered_map<std::string, int> active_;  // ObjectKey -> stack position
  std::unordered_map<std::string, Step> steps_;  // explain only; by ObjectKey
};

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_CHECKER_H_

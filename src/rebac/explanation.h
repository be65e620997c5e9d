// Why a check was allowed or denied (rebac_explain).
#ifndef NEXUS_REBAC_EXPLANATION_H_
#define NEXUS_REBAC_EXPLANATION_H_

#include <string>
#include <vector>

namespace nexus::rebac {

struct Explanation {
  bool allowed = false;
  // The tuples of the first successful derivation, from the one naming the subject to the
  // one on the checked object, as "object#relation@subject": for read on file:/a/b by
  // user:alice, ["file:/a#direct_owner@user:alice", "file:/a/b#parent@file:/a"]. Relations
  // that are computed (unions, tupleToUserset) contribute no step of their own.
  std::vector<std::string> path;
  // One line: the relation that granted, or why nothing did.
  std::string reason;
};

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_EXPLANATION_H_

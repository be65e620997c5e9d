// The weighted mix of scenarios a nexus-stress client draws from, parsed from
// "waves=3,agents=1,writes=4,rebac=1,skills=1,sandboxes=0". A weight may be followed by the
// RPC error codes that kind is allowed to meet, e.g. "writes=4:-32006:-32000"; any other error
// code fails the run.
#ifndef NEXUS_STRESS_MIX_H_
#define NEXUS_STRESS_MIX_H_

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nexus::stress {

enum class Kind { kWaves, kAgents, kWrites, kRebac, kSkills, kSandboxes };

inline constexpr char kDefaultMix[] = "waves=3,agents=1,writes=4,rebac=1,skills=1,sandboxes=0";

struct MixEntry {
  Kind kind;
  std::string name;
  int weight = 0;
  std::set<int> expected_codes;
};

class Mix {
 public:
  // kInvalidArgument for an unknown kind, a weight that is not a non-negative integer, a
  // code that is not an integer, a kind named twice, or all weights zero.
  static StatusOr<Mix> Parse(std::string_view spec);

  // A kind drawn with probability weight / total.
  const MixEntry& Pick(std::mt19937_64& rng) const;
  // The entry of `kind` (weight 0 when the spec did not name it).
  const MixEntry& Of(Kind kind) const;

 private:
  std::vector<MixEntry> entries_;  // one per Kind, in enum order
  int total_ = 0;
};

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_MIX_H_

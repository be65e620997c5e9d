#include "node/schema.h"

#include <algorithm>
#include <vector>

#include "auth/schema.h"
#include "rebac/schema.h"
#include "services/agents/schema.h"
#include "services/memory/schema.h"
#include "services/mounts/schema.h"
#include "services/oauth/schema.h"
#include "services/sandboxes/schema.h"
#include "services/skills/schema.h"
#include "services/webhooks/schema.h"
#include "services/workspaces/schema.h"
#include "vfs/schema.h"

namespace nexus::node {
namespace {

// Modules number their migrations from one sequence, in the order they were released, so
// one module's migrations interleave with another's (ReBAC has 3 and 13): concatenated, then
// sorted.
std::vector<storage::Migration> Assemble() {
  std::vector<storage::Migration> all;
  for (std::span<const storage::Migration> part :
       {vfs::Schema(), auth::Schema(), rebac::Schema(), services::sandboxes::Schema(),
        services::agents::Schema(), services::skills::Schema(), services::workspaces::Schema(),
        services::memory::Schema(), services::mounts::Schema(), services::oauth::Schema(),
        services::webhooks::Schema()}) {
    all.insert(all.end(), part.begin(), part.end());
  }
  std::ranges::sort(all, {}, &storage::Migration::version);
  return all;
}

}  // namespace

std::span<const storage::Migration> Schema() {
  static const std::vector<storage::Migration> kAll = Assemble();
  return kAll;
}

}  // namespace nexus::node

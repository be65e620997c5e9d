#include "node/schema.h"

#include <algorithm>
#include <vector>

#include "auth/key_store.h"
#include "cluster/cluster.h"
#include "rebac/rebac.h"
#include "services/agents/agents.h"
#include "services/memory/memory_service.h"
#include "services/mounts/mounts.h"
#include "services/oauth/oauth_credentials.h"
#include "services/sandboxes/sandboxes.h"
#include "services/skills/skills.h"
#include "services/webhooks/subscriptions.h"
#include "services/mcp_mounts/mcp_mounts.h"
#include "services/workspaces/workspace_registry.h"
#include "vfs/path_tree.h"

namespace nexus::node {
namespace {

// Modules number their migrations from one sequence, in the order they were released, so
// one module's migrations interleave with another's (ReBAC has 3 and 13): concatenated, then
// sorted.
std::vector<storage::Migration> Assemble() {
  std::vector<storage::Migration> all;
  for (std::span<const storage::Migration> part :
       {vfs::Schema(), auth::Schema(), rebac::Schema(), services::SandboxesSchema(),
        services::AgentsSchema(), services::SkillsSchema(), services::WorkspacesSchema(),
        services::MemorySchema(), services::MountsSchema(), services::OAuthSchema(),
        services::WebhooksSchema(), services::McpMountsSchema(), cluster::Schema()}) {
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

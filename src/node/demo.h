// What `nexus serve --demo` provisions (spec/domain.md §6), inside the server process and
// through the same services the RPC methods use: a workspace for the admin, the agents
// ImpersonatedUser and UntrustedAgent, the six demo skills in the admin's personal tier,
// and UntrustedAgent's read access to one of them.
#ifndef NEXUS_NODE_DEMO_H_
#define NEXUS_NODE_DEMO_H_

#include <string>

#include "rebac/rebac.h"
#include "services/agents/agents.h"
#include "services/skills/skills.h"
#include "services/workspaces/workspace_registry.h"
#include "vfs/path_tree.h"

namespace nexus::node {

// The reference demo's admin key, used by --demo unless NEXUS_ADMIN_API_KEY says otherwise.
inline constexpr char kDemoAdminKey[] =
    "sk-default_admin_dddddddd_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

struct DemoServices {
  vfs::PathTree& tree;
  rebac::Rebac& rebac;
  services::AgentRegistry& agents;
  services::SkillService& skills;
  services::WorkspaceRegistry& workspaces;
};

struct DemoResult {
  std::string untrusted_agent_key;  // set when UntrustedAgent was created now (shown once)
};

// Idempotent: each piece is created only when missing, so starting again with --demo
// changes nothing and keeps what users changed.
StatusOr<DemoResult> ProvisionDemo(const DemoServices& services);

}  // namespace nexus::node

#endif  // NEXUS_NODE_DEMO_H_

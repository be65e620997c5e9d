// The core modules of one node that sessions and front ends work with. Owned by the node;
// sessions and the rpc layer only borrow them.
#ifndef NEXUS_SESSION_SERVICES_H_
#define NEXUS_SESSION_SERVICES_H_

namespace nexus::storage {
class Engine;
}
namespace nexus::vfs {
class PathTree;
class Uploads;
}  // namespace nexus::vfs
namespace nexus::auth {
class KeyStore;
}
namespace nexus::rebac {
class Rebac;
}
namespace nexus::services {
class AgentRegistry;
class MountService;
class SandboxService;
struct MemoryService;
class WorkspaceRegistry;
class WorkspaceSnapshots;
class SkillService;
class OAuthService;
class MetadataTransfer;
class McpMountService;
}  // namespace nexus::services

namespace nexus::session {

struct Services {
  storage::Engine* engine = nullptr;
  vfs::PathTree* tree = nullptr;
  auth::KeyStore* keys = nullptr;  // null when the server runs without database keys
  rebac::Rebac* rebac = nullptr;
  services::SandboxService* sandboxes = nullptr;  // null when sandboxes are off
  services::AgentRegistry* agents = nullptr;
  services::MemoryService* memory = nullptr;
  services::WorkspaceRegistry* workspaces = nullptr;
  services::WorkspaceSnapshots* snapshots = nullptr;
  services::MountService* mounts = nullptr;  // null: no mounts, the tree serves every path
  services::SkillService* skills = nullptr;
  services::OAuthService* oauth = nullptr;  // null: OAuth is off
  services::MetadataTransfer* metadata = nullptr;
  vfs::Uploads* uploads = nullptr;                  // null: chunked uploads are refused
  services::McpMountService* mcp_mounts = nullptr;  // null: mcp_mount is refused
};

}  // namespace nexus::session

#endif  // NEXUS_SESSION_SERVICES_H_

// The registry of workspace and memory directories (domain.md §1.2.5, §5.2): a directory of
// a tenant's tree registered under a name, persistent or tied to a session, optionally for a
// limited time. An expired registration behaves as if it were absent.
//
// Paths here are stored paths (/tenant:<t>/...), already scoped and authorised by the
// caller: the registry checks the data, not who may touch the path.
#ifndef NEXUS_SERVICES_WORKSPACES_WORKSPACE_REGISTRY_H_
#define NEXUS_SERVICES_WORKSPACES_WORKSPACE_REGISTRY_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/identity.h"
#include "rebac/rebac.h"
#include "storage/engine.h"
#include "storage/migration.h"
#include "vfs/path_tree.h"

namespace nexus::services {

enum class DirKind { kWorkspace, kMemory };

struct Registration {
  DirKind kind = DirKind::kWorkspace;
  std::string path;     // stored path
  bool legacy = false;  // registered without its tenant prefix (how listings show it)
  std::string tenant_id;
  std::optional<std::string> name;
  std::string description;
  int64_t created_at = 0;
  std::string created_by;
  std::string user_id;  // the registering user
  std::string agent_id;
  std::string session_id;  // empty when persistent
  std::optional<int64_t> expires_at;
  std::string metadata_json;  // a JSON object, or "" when none
};

struct NewRegistration {
  std::string path;  // stored path inside a tenant's tree
  bool legacy = false;
  std::optional<std::string> name;
  std::string description;
  std::string created_by;     // "" for the caller's user id
  std::string metadata_json;  // a JSON object, or ""
  std::string session_id;     // "" for a persistent registration
  std::optional<double> ttl_seconds;
};

class WorkspaceRegistry {
 public:
  WorkspaceRegistry(storage::Engine& engine, vfs::PathTree& tree, rebac::Rebac& rebac)
      : engine_(engine), tree_(tree), rebac_(rebac) {}

  // Registers `reg.path`. A workspace's directory is created when missing and the caller's
  // user is made its direct_owner; a memory directory is taken as it is. kAlreadyExists when
  // the path is registered (and not expired).
  StatusOr<Registration> Register(DirKind kind, const auth::Identity& caller,
                                  const NewRegistration& reg);
  // False when nothing was registered at `path`. A workspace's snapshots go with it; the
  // directory stays.
  StatusOr<bool> Unregister(DirKind kind, const std::string& path);
  // The live registration at `path`, if any.
  StatusOr<std::optional<Registration>> Get(DirKind kind, const std::string& path);
  // Every live registration of the tenant, oldest first.
  StatusOr<std::vector<Registration>> List(DirKind kind, const std::string& tenant_id);

 private:
  // The live registrations of `kind` whose `column` (path or tenant_id) is `value`.
  StatusOr<std::vector<Registration>> SelectLive(DirKind kind, const std::string& column,
                                                 const std::string& value);

  storage::Engine& engine_;
  vfs::PathTree& tree_;
  rebac::Rebac& rebac_;
};

// Inside a unit: whether a live registration exists at `path`.
StatusOr<bool> IsRegistered(storage::Tx& tx, DirKind kind, const std::string& path, int64_t now);

// Migration 8, registrations and snapshots: generated from migrations/*.sql by
// cmake/migrations.cmake. Declared with the registry, as workspaces has no single face header.
std::span<const storage::Migration> WorkspacesSchema();

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WORKSPACES_WORKSPACE_REGISTRY_H_

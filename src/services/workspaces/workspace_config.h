// The YAML file load_workspace_memory_config reads (domain.md §5.2): workspaces and memory
// directories to register, checked whole before anything is registered.
//
//   workspaces:
//     - path: /workspace/main
//       name: main                  # optional
//       description: the main one   # optional
//       metadata: {team: red}       # optional, a flat mapping of scalars
//   memories:
//     - path: /memory/notes
#ifndef NEXUS_SERVICES_WORKSPACES_WORKSPACE_CONFIG_H_
#define NEXUS_SERVICES_WORKSPACES_WORKSPACE_CONFIG_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/workspaces/workspace_registry.h"
#include "util/status.h"

namespace nexus::services {

inline constexpr size_t kMaxWorkspaceConfigBytes = 64 * 1024;
inline constexpr size_t kMaxWorkspaceConfigEntries = 1000;

struct ConfigEntry {
  DirKind kind = DirKind::kWorkspace;
  std::string path;  // as written: the caller scopes it
  std::optional<std::string> name;
  std::string description;
  std::string metadata_json;  // a JSON object of strings, or "" when none
};

// kValidation naming the problem: over kMaxWorkspaceConfigBytes, not UTF-8, invalid YAML, a
// top level other than a mapping of `workspaces` and `memories` lists, an entry that is not a
// mapping of the keys above (path required; scalars; metadata flat), more than
// kMaxWorkspaceConfigEntries entries.
StatusOr<std::vector<ConfigEntry>> ParseWorkspaceConfig(std::string_view yaml);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_WORKSPACES_WORKSPACE_CONFIG_H_

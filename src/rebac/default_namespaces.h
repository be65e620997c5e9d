// The built-in namespace configurations (spec/domain.md §3.2), in code so that every node
// agrees on them without seeding rows. A tenant's stored configuration for a type replaces
// the default of that type for that tenant; deleting it brings the default back.
#ifndef NEXUS_REBAC_DEFAULT_NAMESPACES_H_
#define NEXUS_REBAC_DEFAULT_NAMESPACES_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "rebac/namespace_config.h"

namespace nexus::rebac {

using NamespaceMap = std::map<std::string, NamespaceConfig, std::less<>>;

// file, group, memory, playbook, trajectory, skill, tenant, user, agent, service.
const NamespaceMap& DefaultNamespaces();

// The default for `object_type`, or null.
const NamespaceConfig* FindDefaultNamespace(std::string_view object_type);

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_DEFAULT_NAMESPACES_H_

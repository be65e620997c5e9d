#include "rebac/namespace_set.h"

#include "rebac/names.h"

namespace nexus::rebac {

const NamespaceConfig* NamespaceSet::Find(std::string_view object_type) const {
  auto it = custom_.find(object_type);
  if (it != custom_.end()) return &it->second;
  return FindDefaultNamespace(object_type);
}

StatusOr<const NamespaceConfig*> NamespaceSet::Get(std::string_view object_type) const {
  const NamespaceConfig* config = Find(object_type);
  if (config == nullptr) return InvalidArgument("unknown object type " + Printable(object_type));
  return config;
}

void NamespaceSet::SetCustom(const std::string& object_type, NamespaceConfig config) {
  custom_[object_type] = std::move(config);
}

void NamespaceSet::EraseCustom(std::string_view object_type) {
  auto it = custom_.find(object_type);
  if (it != custom_.end()) custom_.erase(it);
}

StatusOr<std::vector<std::string>> NamespaceSet::PermissionRelations(
    std::string_view object_type, std::string_view permission) const {
  ASSIGN_OR_RETURN(const NamespaceConfig* config, Get(object_type));
  auto it = config->permissions.find(permission);
  if (it != config->permissions.end()) return it->second;
  if (config->FindRelation(permission) != nullptr) {
    return std::vector<std::string>{std::string(permission)};
  }
  return InvalidArgument("unknown permission " + Printable(permission) + " for object type " +
                         Printable(object_type));
}

}  // namespace nexus::rebac

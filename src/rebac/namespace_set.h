// The namespace configurations in force for one tenant: its stored configurations over the
// built-in defaults.
#ifndef NEXUS_REBAC_NAMESPACE_SET_H_
#define NEXUS_REBAC_NAMESPACE_SET_H_

#include <string>
#include <string_view>
#include <vector>

#include "rebac/default_namespaces.h"
#include "rebac/namespace_config.h"
#include "util/status.h"

namespace nexus::rebac {

class NamespaceSet {
 public:
  NamespaceSet() = default;
  explicit NamespaceSet(NamespaceMap custom) : custom_(std::move(custom)) {}

  // The tenant's configuration of `object_type`, else the default, else null.
  const NamespaceConfig* Find(std::string_view object_type) const;
  // As Find, but kInvalidArgument "unknown object type '<type>'" instead of null.
  StatusOr<const NamespaceConfig*> Get(std::string_view object_type) const;

  void SetCustom(const std::string& object_type, NamespaceConfig config);
  void EraseCustom(std::string_view object_type);

  // The relations that grant `permission` on objects of `object_type`: the permission's
  // list, or the permission itself when it names a relation instead. Unknown types and
  // permissions are kInvalidArgument.
  StatusOr<std::vector<std::string>> PermissionRelations(std::string_view object_type,
                                                         std::string_view permission) const;

 private:
  NamespaceMap custom_;
};

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_NAMESPACE_SET_H_

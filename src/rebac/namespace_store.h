// The rows of table rebac_namespaces: each tenant's own configurations, which replace the
// built-in defaults of their types for that tenant. Changes append a 'namespace' changelog
// row so that every node's cached graphs pick them up. Functions run on the caller's Tx.
#ifndef NEXUS_REBAC_NAMESPACE_STORE_H_
#define NEXUS_REBAC_NAMESPACE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rebac/namespace_config.h"
#include "rebac/namespace_set.h"
#include "storage/engine.h"
#include "util/status.h"

namespace nexus::rebac::namespace_store {

struct StoredNamespace {
  std::string object_type;
  NamespaceConfig config;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// The tenant's own configuration of `object_type`, if any.
StatusOr<std::optional<StoredNamespace>> Read(storage::Tx& tx, std::string_view tenant_id,
                                              std::string_view object_type);

// Every configuration the tenant stored, by type.
StatusOr<std::vector<StoredNamespace>> ReadAll(storage::Tx& tx, std::string_view tenant_id);

// The configurations in force for the tenant (stored over defaults).
StatusOr<NamespaceSet> ReadSet(storage::Tx& tx, std::string_view tenant_id);

// The configuration in force for `object_type`: stored, else default, else
// kInvalidArgument "unknown object type".
StatusOr<NamespaceConfig> ReadEffective(storage::Tx& tx, std::string_view tenant_id,
                                        std::string_view object_type);

// Stores (or replaces) the tenant's configuration of `object_type` and logs the change.
Status Put(storage::Tx& tx, std::string_view tenant_id, std::string_view object_type,
           const NamespaceConfig& config, int64_t now);

// Removes the tenant's configuration of `object_type`; false when there was none.
StatusOr<bool> Remove(storage::Tx& tx, std::string_view tenant_id, std::string_view object_type,
                      int64_t now);

}  // namespace nexus::rebac::namespace_store

#endif  // NEXUS_REBAC_NAMESPACE_STORE_H_

#include "rebac/namespace_store.h"

#include <utility>

#include "rebac/changelog.h"
#include "rebac/names.h"

namespace nexus::rebac::namespace_store {

using storage::Row;
using storage::Rows;
using storage::Tx;

namespace {

// Stored configurations were validated when written; one that no longer parses was written
// by a newer binary or damaged, and checks of its type must not silently fall back.
StatusOr<StoredNamespace> FromRow(const Row& row) {
  StoredNamespace ns;
  ns.object_type = row.Text(0);
  StatusOr<NamespaceConfig> config = ParseNamespaceConfig(row.Text(1));
  if (!config.ok()) {
    return Internal("stored namespace config of type " + Printable(ns.object_type) +
                    " is invalid: " + config.status().message());
  }
  ns.config = *std::move(config);
  ns.created_at = row.Int(2);
  ns.updated_at = row.Int(3);
  return ns;
}

constexpr std::string_view kSelect =
    "SELECT object_type, config, created_at, updated_at FROM rebac_namespaces"
    " WHERE tenant_id = ?";

Status LogChange(Tx& tx, std::string_view tenant_id, std::string_view object_type, int64_t now) {
  Tuple change;
  change.tenant_id = std::string(tenant_id);
  change.object.type = std::string(object_type);
  ChangelogWriter log(tx, now);
  return log.Append(ChangeOp::kNamespace, change).status();
}

}  // namespace

StatusOr<std::optional<StoredNamespace>> Read(Tx& tx, std::string_view tenant_id,
                                              std::string_view object_type) {
  ASSIGN_OR_RETURN(Rows rows, tx.Query(std::string(kSelect) + " AND object_type = ?",
                                       {std::string(tenant_id), std::string(object_type)}));
  if (rows.empty()) return std::optional<StoredNamespace>();
  ASSIGN_OR_RETURN(StoredNamespace ns, FromRow(rows.front()));
  return std::optional<StoredNamespace>(std::move(ns));
}

StatusOr<std::vector<StoredNamespace>> ReadAll(Tx& tx, std::string_view tenant_id) {
  ASSIGN_OR_RETURN(Rows rows, tx.Query(std::string(kSelect) + " ORDER BY object_type",
                                       {std::string(tenant_id)}));
  std::vector<StoredNamespace> all;
  for (const Row& row : rows) {
    ASSIGN_OR_RETURN(StoredNamespace ns, FromRow(row));
    all.push_back(std::move(ns));
  }
  return all;
}

StatusOr<NamespaceSet> ReadSet(Tx& tx, std::string_view tenant_id) {
  ASSIGN_OR_RETURN(std::vector<StoredNamespace> all, ReadAll(tx, tenant_id));
  NamespaceSet set;
  for (StoredNamespace& ns : all) set.SetCustom(ns.object_type, std::move(ns.config));
  return set;
}

StatusOr<NamespaceConfig> ReadEffective(Tx& tx, std::string_view tenant_id,
                                        std::string_view object_type) {
  ASSIGN_OR_RETURN(std::optional<StoredNamespace> stored, Read(tx, tenant_id, object_type));
  if (stored) return std::move(stored->config);
  const NamespaceConfig* config = FindDefaultNamespace(object_type);
  if (config == nullptr) return InvalidArgument("unknown object type " + Printable(object_type));
  return *config;
}

Status Put(Tx& tx, std::string_view tenant_id, std::string_view object_type,
           const NamespaceConfig& config, int64_t now) {
  const std::string json = NamespaceConfigToJson(config);
  ASSIGN_OR_RETURN(const int64_t updated,
                   tx.Exec("UPDATE rebac_namespaces SET config = ?, updated_at = ?"
                           " WHERE tenant_id = ? AND object_type = ?",
                           {json, now, std::string(tenant_id), std::string(object_type)}));
  if (updated == 0) {
    RETURN_IF_ERROR(tx.Exec("INSERT INTO rebac_namespaces (tenant_id, object_type, config,"
                            " created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                            {std::string(tenant_id), std::string(object_type), json, now, now})
                        .status());
  }
  return LogChange(tx, tenant_id, object_type, now);
}

StatusOr<bool> Remove(Tx& tx, std::string_view tenant_id, std::string_view object_type,
                      int64_t now) {
  ASSIGN_OR_RETURN(const int64_t removed,
                   tx.Exec("DELETE FROM rebac_namespaces WHERE tenant_id = ? AND object_type = ?",
                           {std::string(tenant_id), std::string(object_type)}));
  if (removed == 0) return false;
  RETURN_IF_ERROR(LogChange(tx, tenant_id, object_type, now));
  return true;
}

}  // namespace nexus::rebac::namespace_store

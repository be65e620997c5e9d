#include "services/provisioning.h"

#include "util/file.h"

namespace nexus::services {
namespace {

constexpr const char* kHomeFolders[] = {"workspace", "memory",    "skill",
                                        "agent",     "connector", "resource"};

// Makes sure the key of `options` (given or generated) exists as an admin key. Returns the
// raw key when one was created now.
StatusOr<std::optional<std::string>> EnsureAdminKey(const ProvisionOptions& options,
                                                    auth::KeyStore& keys) {
  if (!options.admin_key.empty()) {
    ASSIGN_OR_RETURN(const std::optional<auth::Identity> known,
                     keys.Authenticate(options.admin_key));
    if (known) return std::optional<std::string>();
  } else {
    ASSIGN_OR_RETURN(const bool has_admin, keys.HasActiveAdminKey(options.tenant));
    if (has_admin) return std::optional<std::string>();
  }
  auth::NewKey key;
  key.user_id = options.admin_user;
  key.name = "Admin Bootstrap Key";
  key.is_admin = true;
  key.is_system = true;
  key.tenant_id = options.tenant;
  if (!options.admin_key.empty()) key.raw_key = options.admin_key;
  ASSIGN_OR_RETURN(const auth::CreatedKey created, keys.CreateKey("", key));
  return std::optional<std::string>(created.api_key);
}

Status WriteKeyFile(const std::string& path, const std::string& raw_key) {
  return WriteFileAtomically(path, raw_key + "\n", /*sync=*/true, /*mode=*/0600);
}

}  // namespace

StatusOr<ProvisionResult> ProvisionFirstStart(const ProvisionOptions& options, vfs::PathTree& tree,
                                              auth::KeyStore& keys) {
  ProvisionResult result;
  result.key_file = options.data_dir + "/admin-api-key";
  ASSIGN_OR_RETURN(const std::optional<std::string> created, EnsureAdminKey(options, keys));
  if (created) {
    RETURN_IF_ERROR(WriteKeyFile(result.key_file, *created));
    result.created_key = true;
    result.raw_key = *created;
  }
  const std::string home = "/tenant:" + options.tenant + "/user:" + options.admin_user;
  const vfs::Actor admin{options.admin_user};
  for (const char* folder : kHomeFolders) {
    RETURN_IF_ERROR(tree.Mkdir(admin, home + "/" + folder, /*parents=*/true, /*exist_ok=*/true));
  }
  return result;
}

}  // namespace nexus::services

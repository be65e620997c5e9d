// First-start provisioning: the default tenant's admin key and home, created inside the
// server process (never from a second process writing the same database).
#ifndef NEXUS_SERVICES_PROVISIONING_H_
#define NEXUS_SERVICES_PROVISIONING_H_

#include <string>

#include "auth/key_store.h"
#include "vfs/path_tree.h"

namespace nexus::services {

struct ProvisionOptions {
  std::string data_dir;   // where admin-api-key is written
  std::string admin_key;  // NEXUS_ADMIN_API_KEY, or empty to generate one
  std::string tenant = "default";
  std::string admin_user = "admin";
};

struct ProvisionResult {
  bool created_key = false;  // a key was created now (and written to key_file)
  std::string key_file;      // <data_dir>/admin-api-key
  std::string raw_key;       // the created key, to print once
};

// Idempotent: creates the system administrator's key when the tenant has no active admin key (or
// registers `admin_key` when given and unknown), writes it to <data_dir>/admin-api-key with mode
// 0600, and creates /tenant:<t>/user:<admin>/{workspace,memory,skill,agent,connector,resource}.
StatusOr<ProvisionResult> ProvisionFirstStart(const ProvisionOptions& options, vfs::PathTree& tree,
                                              auth::KeyStore& keys);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_PROVISIONING_H_

// Secrets every node of a database must share (the key that seals OAuth tokens and MCP
// mount headers), kept in `cluster_secrets`.
#ifndef NEXUS_CLUSTER_SECRETS_H_
#define NEXUS_CLUSTER_SECRETS_H_

#include <string>
#include <string_view>

#include "storage/engine.h"
#include "util/status.h"

namespace nexus::cluster {

// The value stored under `name`. When there is none, `proposed` is stored and returned; of
// nodes starting at once, the first to commit wins and the others get its value.
StatusOr<std::string> AgreeOnSecret(storage::Engine& engine, std::string_view name,
                                    const std::string& proposed);

}  // namespace nexus::cluster

#endif  // NEXUS_CLUSTER_SECRETS_H_

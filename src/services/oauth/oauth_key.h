// The key that seals OAuth tokens at rest: from the config (`oauth.encryption_key`, base64 of
// 32 bytes), or else a key file in the data directory, generated on first start, or on a
// database that several nodes share, a key they agree on there.
#ifndef NEXUS_SERVICES_OAUTH_OAUTH_KEY_H_
#define NEXUS_SERVICES_OAUTH_OAUTH_KEY_H_

#include <string>

#include "storage/engine.h"
#include "util/status.h"

namespace nexus::services {

// The raw 32-byte key. A non-empty `configured_base64` must decode to 32 bytes. Otherwise
// `key_file` is read, or created (mode 0600, base64 text) when absent; an existing file
// readable or writable by group or others, or not holding 32 bytes, is refused (it may
// have leaked, or been cut short) with kInvalidArgument naming it.
StatusOr<std::string> LoadOAuthKey(const std::string& configured_base64,
                                   const std::string& key_file);

// The key of a node whose store is `engine`. On SQLite, LoadOAuthKey. On PostgreSQL every
// node must use one key: without a configured key the nodes agree on one in the database
// (an existing key file of this node is the proposal, so a single node that becomes a
// cluster keeps its key); with one, the database keeps only its fingerprint. A node whose
// configured key or key file disagrees with what the database holds is refused with
// kValidation, before it could seal anything with the wrong key.
StatusOr<std::string> LoadSharedOAuthKey(storage::Engine& engine,
                                         const std::string& configured_base64,
                                         const std::string& key_file);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_OAUTH_OAUTH_KEY_H_

// A JSON-RPC error object (api.md §3.6) as a Status the caller can act on.
#ifndef NEXUS_CLIENT_RPC_ERROR_H_
#define NEXUS_CLIENT_RPC_ERROR_H_

#include "client/value.h"
#include "util/status.h"

namespace nexus::client {

// {"code": -32000, "message": "File not found: /a"} -> NotFound "File not found: /a", with
// the detail "rpc_code" = "-32000" and, for a conflict, the members of its `data`. The
// reference reports most access denials as -32603 "Internal error: Access denied: ..."; those
// map to kPermissionDenied too, so that callers need not read messages.
Status StatusFromRpcError(const Value& error);

}  // namespace nexus::client

#endif  // NEXUS_CLIENT_RPC_ERROR_H_

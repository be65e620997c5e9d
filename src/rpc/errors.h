// JSON-RPC error codes of api.md §3.6 and the mapping from our Status codes.
#ifndef NEXUS_RPC_ERRORS_H_
#define NEXUS_RPC_ERRORS_H_

#include "rpc/wire_json.h"

namespace nexus::rpc {

enum ErrorCode {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kFileNotFound = -32000,
  kFileExists = -32001,
  kInvalidPathCode = -32002,
  kAccessDenied = -32003,
  kPermissionError = -32004,
  kValidationError = -32005,
  kConflictCode = -32006,
};

// The `error` member for `status`: code, message in the reference's wording, and `data`
// where the spec has it (conflicts).
Json ErrorObject(const Status& status);

// An error object with an explicit code and message.
Json ErrorObject(int code, const std::string& message);

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_ERRORS_H_

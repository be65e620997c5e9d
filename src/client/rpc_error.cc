#include "client/rpc_error.h"

#include <string>

namespace nexus::client {
namespace {

Code CodeOf(int64_t rpc_code, const std::string& message) {
  switch (rpc_code) {
    case -32000:
      return Code::kNotFound;
    case -32001:
      return Code::kAlreadyExists;
    case -32002:
      return Code::kInvalidPath;
    case -32003:
    case -32004:
      return Code::kPermissionDenied;
    case -32005:
      return Code::kValidation;
    case -32006:
      return Code::kConflict;
    case -32600:
    case -32601:
    case -32602:
    case -32700:
      return Code::kInvalidArgument;
    default:
      break;
  }
  for (std::string_view denial : {"Access denied", "Permission denied"}) {
    if (message.find(denial) != std::string::npos) return Code::kPermissionDenied;
  }
  return Code::kInternal;
}

}  // namespace

Status StatusFromRpcError(const Value& error) {
  const int64_t rpc_code = error["code"].AsInt();
  std::string message = error["message"].AsString();
  if (message.empty()) message = "the server reported error " + std::to_string(rpc_code);
  std::vector<Status::Detail> details = {{"rpc_code", std::to_string(rpc_code)}};
  // The server's own data (a conflict's etags) never replaces what the client set.
  for (const auto& [key, value] : error["data"].AsObject()) {
    if (value.is_string() && key != "rpc_code" && key != "http_status")
      details.emplace_back(key, value.AsString());
  }
  const Code code = CodeOf(rpc_code, message);
  return Status(code, std::move(message), std::move(details));
}

}  // namespace nexus::client

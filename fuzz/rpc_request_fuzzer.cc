// A JSON-RPC request as the server receives it (rpc/dispatcher.h): "<method>\n<body>", the
// method standing for the URL's. The envelope is checked, the `__type__` wrappers decoded
// and the parameters bound to the method's schema; no method runs.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "rpc/dispatcher.h"
#include "rpc/wire_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const nexus::rpc::Dispatcher* const dispatcher =
      new nexus::rpc::Dispatcher(nexus::rpc::Services{});
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  nexus::rpc::RpcRequest request;
  request.method = std::string(input.substr(0, newline));
  if (newline != std::string_view::npos) request.body = input.substr(newline + 1);
  const std::optional<nexus::rpc::RpcResponse> error = dispatcher->Reject(request);
  if (!error) return 0;
  // Bad input is the caller's fault: never an internal error, always a well-formed answer.
  FUZZ_CHECK(error->outcome != "-32603");
  const nexus::StatusOr<nexus::rpc::Json> body = nexus::rpc::ParseJson(error->body);
  FUZZ_CHECK(body.ok());
  FUZZ_CHECK(body->at("error").at("code").is_number_integer());
  FUZZ_CHECK(body->at("error").at("message").is_string());
  return 0;
}

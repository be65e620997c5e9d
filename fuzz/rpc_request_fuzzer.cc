// A JSON-RPC request as the server receives it (rpc/dispatcher.h): "<method>\n<body>", the
// method standing for the URL's, answered by a real node (node/node.h) on a temporary data
// directory, as the system administrator: the envelope is checked, the `__type__` wrappers
// decoded, the parameters bound to the method's schema, and the method runs. Sandboxes are
// off (each input would start a jail); every other service is the server's own.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_node.h"
#include "rpc/dispatcher.h"
#include "rpc/wire_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static nexus::fuzz::FuzzNode node;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  nexus::rpc::RpcRequest request;
  request.method = std::string(input.substr(0, newline));
  if (newline != std::string_view::npos) request.body = input.substr(newline + 1);
  request.caller = &node.admin();
  const nexus::rpc::RpcResponse response = node.node().dispatcher().Handle(request);
  // Bad input is the caller's fault: never an internal error, always a well-formed answer.
  FUZZ_CHECK(response.outcome != "-32603");
  if (response.http_status == 304) return 0;
  const nexus::StatusOr<nexus::rpc::Json> body = nexus::rpc::ParseJson(response.body);
  FUZZ_CHECK(body.ok());
  if (response.outcome == "ok") return 0;
  FUZZ_CHECK(body->at("error").at("code").is_number_integer());
  FUZZ_CHECK(body->at("error").at("message").is_string());
  return 0;
}

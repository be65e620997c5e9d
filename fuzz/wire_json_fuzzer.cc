// The JSON codec of the wire (rpc/wire_json.h): the bounded parser and the `__type__`
// wrappers. Whatever decodes must encode, and the encoding must decode to the same value.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "rpc/wire_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nexus::rpc::Json;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  nexus::StatusOr<Json> parsed = nexus::rpc::ParseJson(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == nexus::Code::kInvalidArgument);
    return 0;
  }
  Json value = std::move(parsed).value();
  if (!nexus::rpc::DecodeWireTypes(value).ok()) return 0;
  const std::string wire = nexus::rpc::EncodeWire(value);
  nexus::StatusOr<Json> reparsed = nexus::rpc::ParseJson(wire);
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(nexus::rpc::DecodeWireTypes(*reparsed).ok());
  FUZZ_CHECK(*reparsed == value);
  return 0;
}

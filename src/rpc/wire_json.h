// The JSON values of the wire, with the reference's `__type__` wrappers for the types JSON
// lacks. Internal to the rpc module: nlohmann/json is heavy, so no header outside rpc/
// includes this one.
//
// In memory, bytes are nlohmann binary values; on the wire they are
// {"__type__":"bytes","data":"<base64>"}. Datetimes are built with DateTimeValue; incoming
// datetime wrappers become their ISO string. Incoming timedelta wrappers are checked and
// kept as they are (ParamType::kTimedelta reads them), so that a duration is never
// confused with a plain number.
#ifndef NEXUS_RPC_WIRE_JSON_H_
#define NEXUS_RPC_WIRE_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "util/status.h"

namespace nexus::rpc {

using Json = nlohmann::json;

// Replaces every wrapper object in `value` by what it stands for. A bytes wrapper with
// invalid base64 is kInvalidArgument. Objects nested deeper than kMaxJsonDepth are refused
// by the parser before this runs.
Status DecodeWireTypes(Json& value);

// Serialises `value` compactly, writing binary values as bytes wrappers. Invalid UTF-8 in a
// string (a file name from an old store, say) becomes U+FFFD rather than failing the answer.
std::string EncodeWire(const Json& value);

// For results written as text rather than built as a Json tree (MethodResult::Encoded):
// appends `s` as a JSON string literal exactly as EncodeWire writes it, and a datetime
// wrapper exactly as EncodeWire(DateTimeValue(micros)) writes it.
void AppendWireString(std::string_view s, std::string* out);
void AppendWireDateTime(int64_t micros, std::string* out);

// {"__type__":"datetime","data":"2025-12-18T00:00:00.123456+00:00"}.
Json DateTimeValue(int64_t micros);
// A datetime wrapper, or null when absent.
Json OptionalDateTimeValue(std::optional<int64_t> micros);
Json BytesValue(std::string data);

// Plain ISO string (the form some methods use for timestamps), or null.
Json IsoOrNull(std::optional<int64_t> micros);

// Parses a request body, refusing nesting deeper than kMaxJsonDepth (so a hostile body
// cannot exhaust the stack). kInvalidArgument with the parser's message on bad JSON.
inline constexpr int kMaxJsonDepth = 64;
StatusOr<Json> ParseJson(std::string_view text);

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_WIRE_JSON_H_

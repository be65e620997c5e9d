#include "rpc/wire_json.h"

#include "util/base64.h"
#include "util/clock.h"

namespace nexus::rpc {
namespace {

// Replaces a wrapper object by its value; leaves other objects alone.
Status DecodeWrapper(Json& obj) {
  const auto type = obj.find("__type__");
  if (type == obj.end() || !type->is_string()) return Status::OK();
  const std::string& kind = type->get_ref<const std::string&>();
  if (kind == "bytes") {
    const auto data = obj.find("data");
    if (data == obj.end() || !data->is_string())
      return InvalidArgument("bytes wrapper needs a string 'data'");
    ASSIGN_OR_RETURN(std::vector<uint8_t> raw,
                     Base64DecodeBytes(data->get_ref<const std::string&>()));
    obj = Json::binary(std::move(raw));
  } else if (kind == "datetime") {
    const auto data = obj.find("data");
    if (data == obj.end() || !data->is_string())
      return InvalidArgument("datetime wrapper needs a string 'data'");
    Json iso = *data;
    obj = std::move(iso);
  } else if (kind == "timedelta") {
    // Kept as a wrapper: a duration parameter must tell it from a plain number.
    const auto seconds = obj.find("seconds");
    if (seconds == obj.end() || !seconds->is_number())
      return InvalidArgument("timedelta wrapper needs numeric 'seconds'");
  }
  return Status::OK();
}

// Depth counter for the parser callback: refuses to go deeper than kMaxJsonDepth.
struct DepthGuard {
  int depth = 0;
  bool exceeded = false;
};

}  // namespace

Status DecodeWireTypes(Json& value) {
  if (value.is_array()) {
    for (Json& item : value) RETURN_IF_ERROR(DecodeWireTypes(item));
  } else if (value.is_object()) {
    for (auto& [key, item] : value.items()) RETURN_IF_ERROR(DecodeWireTypes(item));
    RETURN_IF_ERROR(DecodeWrapper(value));
  }
  return Status::OK();
}

Json DateTimeValue(int64_t micros) {
  // Filled member by member: an initializer list builds a two-element array per pair
  // first, which cost more than the formatting in a long listing.
  Json wrapper(Json::value_t::object);
  wrapper["__type__"] = "datetime";
  wrapper["data"] = FormatIsoMicros(micros);
  return wrapper;
}

Json OptionalDateTimeValue(std::optional<int64_t> micros) {
  return micros ? DateTimeValue(*micros) : Json(nullptr);
}

Json BytesValue(std::string data) {
  return Json::binary(Json::binary_t::container_type(data.begin(), data.end()));
}

Json IsoOrNull(std::optional<int64_t> micros) {
  return micros ? Json(FormatIsoMicros(*micros)) : Json(nullptr);
}

StatusOr<Json> ParseJson(std::string_view text) {
  DepthGuard guard;
  const Json::parser_callback_t limit_depth = [&guard](int depth, Json::parse_event_t event,
                                                       Json&) {
    if (event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) {
      if (depth >= kMaxJsonDepth) guard.exceeded = true;
    }
    return !guard.exceeded;
  };
  try {
    Json value = Json::parse(text.begin(), text.end(), limit_depth);
    if (guard.exceeded)
      return InvalidArgument("JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                             " levels");
    return value;
  } catch (const Json::exception& e) {
    // Not only parse_error: a number too large for a double ("1e400") is out_of_range.
    if (guard.exceeded)
      return InvalidArgument("JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                             " levels");
    return InvalidArgument(e.what());
  }
}

}  // namespace nexus::rpc

// Fields of records as JSON values: absent optionals and empty strings as null, documents
// the services keep as text parsed back. One spelling for every method's result shapes.
#ifndef NEXUS_RPC_JSON_VALUES_H_
#define NEXUS_RPC_JSON_VALUES_H_

#include <optional>
#include <string>

#include "rpc/wire_json.h"

namespace nexus::rpc {

// The value, or null when absent.
template <typename T>
Json OrNull(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

inline Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

// A JSON document the services stored as text, or `none` (null unless given) when none was.
inline Json StoredJson(const std::string& text, Json none = nullptr) {
  return text.empty() ? none : Json::parse(text);
}

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_JSON_VALUES_H_

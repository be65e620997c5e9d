// Helpers shared by the memory and learning-loop methods (memory_methods.cc,
// learning_methods.cc): optional values in and out.
#ifndef NEXUS_RPC_MEMORY_PARAMS_H_
#define NEXUS_RPC_MEMORY_PARAMS_H_

#include <optional>
#include <string>

#include "rpc/params.h"

namespace nexus::rpc {

inline std::optional<double> OptNumber(const Params& p, const std::string& name) {
  return p.Has(name) ? std::optional<double>(p.Number(name)) : std::nullopt;
}

// The value, or null when absent.
template <typename T>
Json OrNull(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

inline Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

// A JSON document the services stored as text, or null when none was.
inline Json StoredJson(const std::string& text) {
  return text.empty() ? Json(nullptr) : Json::parse(text);
}

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_MEMORY_PARAMS_H_

// Helpers shared by the memory and learning-loop methods (memory_methods.cc,
// learning_methods.cc): optional values in (and, through rpc/json_values.h, out).
#ifndef NEXUS_RPC_MEMORY_PARAMS_H_
#define NEXUS_RPC_MEMORY_PARAMS_H_

#include <optional>
#include <string>

#include "rpc/json_values.h"
#include "rpc/params.h"

namespace nexus::rpc {

inline std::optional<double> OptNumber(const Params& p, const std::string& name) {
  return p.Has(name) ? std::optional<double>(p.Number(name)) : std::nullopt;
}

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_MEMORY_PARAMS_H_

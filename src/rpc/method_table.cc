#include "rpc/method_table.h"

namespace nexus::rpc {

void MethodTable::Add(Method method) {
  std::string name = method.name;
  methods_.insert_or_assign(std::move(name), std::move(method));
}

const Method* MethodTable::Find(const std::string& name) const {
  const auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodTable::Names() const {
  std::vector<std::string> out;
  out.reserve(methods_.size());
  for (const auto& [name, method] : methods_) out.push_back(name);
  return out;
}

StatusOr<MethodResult> RunMethod(const Method& method, const Params& params, CallContext& ctx) {
  try {
    return method.handler(params, ctx);
  } catch (const std::exception& e) {
    // Handlers report expected failures as Status; an exception is a bug, but it must not
    // take the server down or leave the caller without an answer.
    return Internal(std::string("unexpected exception in ") + method.name + ": " + e.what());
  }
}

}  // namespace nexus::rpc

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

}  // namespace nexus::rpc

#include "services/skills/skill_dependencies.h"

#include <algorithm>
#include <set>

namespace nexus::services {
namespace {

struct Walk {
  const RequiresOf& requires_of;
  std::vector<std::string> path;  // the chain being visited, for cycle messages
  std::set<std::string> done;
  std::vector<std::string> order;

  Status Visit(const std::string& name) {
    if (done.contains(name)) return Status::OK();
    if (const auto it = std::find(path.begin(), path.end(), name); it != path.end()) {
      std::string cycle;
      for (auto c = it; c != path.end(); ++c) cycle += *c + " -> ";
      return Status(Code::kValidation, "Circular skill dependency: " + cycle + name);
    }
    const std::vector<std::string>* deps = requires_of(name);
    if (deps == nullptr) {
      if (path.empty()) return Status(Code::kValidation, "Skill not found: " + name);
      return Status(Code::kValidation,
                    "Skill '" + path.back() + "' requires '" + name + "', which was not found");
    }
    path.push_back(name);
    for (const std::string& dep : *deps) RETURN_IF_ERROR(Visit(dep));
    path.pop_back();
    done.insert(name);
    order.push_back(name);
    return Status::OK();
  }
};

}  // namespace

StatusOr<std::vector<std::string>> ResolveDependencies(const std::string& root,
                                                       const RequiresOf& requires_of) {
  Walk walk{requires_of, {}, {}, {}};
  RETURN_IF_ERROR(walk.Visit(root));
  return walk.order;
}

}  // namespace nexus::services

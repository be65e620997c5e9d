#include "rebac/refs.h"

namespace nexus::rebac {

std::string ToString(const ObjectRef& object) { return object.type + ":" + object.id; }

std::string ToString(const SubjectRef& subject) {
  std::string s = subject.type + ":" + subject.id;
  if (subject.is_userset()) s += "#" + subject.relation;
  return s;
}

bool FileParent(std::string_view path, std::string* parent) {
  if (path.size() < 2 || path.front() != '/') return false;
  const size_t slash = path.rfind('/');
  if (slash == 0) return false;  // "/a": the root is never a parent
  parent->assign(path.substr(0, slash));
  return true;
}

}  // namespace nexus::rebac

// Objects and subjects of relationship tuples, and their text forms.
//
// An object is (type, id), e.g. file:/a/b or group:eng. A subject is (type, id) or a userset
// (type, id, relation), e.g. group:eng#member, "the members of group eng". The wildcard
// subject *:* stands for every subject.
#ifndef NEXUS_REBAC_REFS_H_
#define NEXUS_REBAC_REFS_H_

#include <compare>
#include <string>
#include <string_view>
#include <utility>

namespace nexus::rebac {

inline constexpr std::string_view kWildcard = "*";

struct ObjectRef {
  std::string type;
  std::string id;

  auto operator<=>(const ObjectRef&) const = default;
};

struct SubjectRef {
  SubjectRef() = default;
  SubjectRef(std::string type, std::string id, std::string relation = "")
      : type(std::move(type)), id(std::move(id)), relation(std::move(relation)) {}

  std::string type;
  std::string id;
  std::string relation;  // empty for a concrete subject; set for a userset

  static SubjectRef Wildcard() { return {std::string(kWildcard), std::string(kWildcard), ""}; }
  bool is_wildcard() const { return type == kWildcard && id == kWildcard && relation.empty(); }
  bool is_userset() const { return !relation.empty(); }
  ObjectRef object() const { return {type, id}; }

  auto operator<=>(const SubjectRef&) const = default;
};

// "file:/a", "group:eng#member", "*:*": the forms used in messages and explanations.
std::string ToString(const ObjectRef& object);
std::string ToString(const SubjectRef& subject);

// The parent of a file object, computed from its path: file:/a/b -> file:/a. False for a
// top-level path such as /a (whose parent would be the root, which is never a parent) and
// for ids that are not absolute paths.
bool FileParent(std::string_view path, std::string* parent);

inline constexpr std::string_view kFileType = "file";
inline constexpr std::string_view kParentRelation = "parent";

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_REFS_H_

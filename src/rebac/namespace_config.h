// Namespace configuration: the relations and permissions of one object type.
//
// JSON form (namespace_create, namespace_list, rebac_namespaces.config):
//
//   {
//     "relations": {
//       "direct_owner": {},                               // direct: stored tuples
//       "parent": {},
//       "owner": {"union": ["direct_owner", "parent_owner"]},
//       "parent_owner": {"tupleToUserset": {"tupleset": "parent", "computedUserset": "owner"}}
//     },
//     "permissions": {"read": ["owner"], "execute": ["owner"]}
//   }
//
// * A direct relation holds for the subjects of its live tuples; a userset subject X#r
//   stands for every subject holding r on X, and the wildcard *:* for every subject.
// * A union holds when any of its relations (of the same object) holds.
// * tupleToUserset {tupleset T, computedUserset C} holds for a subject when, for some live
//   tuple (object, T, X), the subject holds C on X (X's relation, if any, is ignored; so is
//   a wildcard X). T must be a direct relation of the same type; a type of X that has no
//   relation C contributes nothing. For type `file`, the direct relation `parent` is not
//   stored: the parent of file:/a/b is file:/a, computed from the path.
// * A permission is a list of relations; it holds when any of them does.
//
// Names of relations and permissions are [a-z0-9_-]{1,64}. Unknown keys, unknown relation
// references and malformed JSON are kInvalidArgument.
#ifndef NEXUS_REBAC_NAMESPACE_CONFIG_H_
#define NEXUS_REBAC_NAMESPACE_CONFIG_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nexus::rebac {

struct RelationDef {
  enum class Kind { kDirect, kUnion, kTupleToUserset };

  Kind kind = Kind::kDirect;
  std::vector<std::string> children;  // kUnion: the relations of the same object
  std::string tupleset;               // kTupleToUserset
  std::string computed_userset;       // kTupleToUserset

  bool operator==(const RelationDef&) const = default;
};

struct NamespaceConfig {
  std::map<std::string, RelationDef, std::less<>> relations;
  // Permission -> relations, in the order they are tried.
  std::map<std::string, std::vector<std::string>, std::less<>> permissions;

  const RelationDef* FindRelation(std::string_view name) const;

  bool operator==(const NamespaceConfig&) const = default;
};

// Parses and validates the JSON form above.
StatusOr<NamespaceConfig> ParseNamespaceConfig(std::string_view json);

// Checks names and references (what ParseNamespaceConfig checks after parsing).
Status ValidateNamespaceConfig(const NamespaceConfig& config);

// The JSON form above; ParseNamespaceConfig(NamespaceConfigToJson(c)) == c.
std::string NamespaceConfigToJson(const NamespaceConfig& config);

// "direct", "union" or "tupleToUserset", for messages.
std::string_view KindName(RelationDef::Kind kind);

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_NAMESPACE_CONFIG_H_

#include "rebac/namespace_config.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include <nlohmann/json.hpp>

#include "rebac/names.h"

namespace nexus::rebac {
namespace {

using Json = nlohmann::json;

// A configuration is a few dozen relations; the bound keeps a hostile config from making
// every check of its type slow.
constexpr size_t kMaxRelations = 256;
constexpr size_t kMaxPermissions = 256;

Status CheckOnlyKeys(const Json& object, std::string_view where,
                     std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return InvalidArgument("unknown key " + Printable(key) + " in " + std::string(where));
    }
  }
  return Status::OK();
}

StatusOr<std::vector<std::string>> ParseNameList(const Json& value, const std::string& where) {
  if (!value.is_array()) return InvalidArgument(where + " must be a list of relation names");
  std::vector<std::string> names;
  for (const Json& item : value) {
    if (!item.is_string()) return InvalidArgument(where + " must be a list of relation names");
    names.push_back(item.get<std::string>());
  }
  return names;
}

StatusOr<RelationDef> ParseTupleToUserset(const Json& value, const std::string& where) {
  if (!value.is_object()) return InvalidArgument(where + ".tupleToUserset must be an object");
  RETURN_IF_ERROR(CheckOnlyKeys(value, where + ".tupleToUserset", {"tupleset", "computedUserset"}));
  const auto tupleset = value.find("tupleset");
  const auto computed = value.find("computedUserset");
  if (tupleset == value.end() || !tupleset->is_string() || computed == value.end() ||
      !computed->is_string()) {
    return InvalidArgument(where +
                           ".tupleToUserset needs string fields tupleset and computedUserset");
  }
  RelationDef def;
  def.kind = RelationDef::Kind::kTupleToUserset;
  def.tupleset = tupleset->get<std::string>();
  def.computed_userset = computed->get<std::string>();
  return def;
}

StatusOr<RelationDef> ParseRelation(const std::string& name, const Json& value) {
  const std::string where = "relation " + Printable(name);
  if (!value.is_object()) return InvalidArgument(where + " must be an object");
  RETURN_IF_ERROR(CheckOnlyKeys(value, where, {"union", "tupleToUserset"}));
  if (value.empty()) return RelationDef{};  // direct
  if (value.size() > 1) return InvalidArgument(where + " has both union and tupleToUserset");
  if (value.contains("tupleToUserset")) return ParseTupleToUserset(value["tupleToUserset"], where);
  RelationDef def;
  def.kind = RelationDef::Kind::kUnion;
  ASSIGN_OR_RETURN(def.children, ParseNameList(value["union"], where + ".union"));
  if (def.children.empty()) return InvalidArgument(where + ".union is empty");
  return def;
}

StatusOr<NamespaceConfig> FromJson(const Json& json) {
  if (!json.is_object()) return InvalidArgument("namespace config must be a JSON object");
  RETURN_IF_ERROR(CheckOnlyKeys(json, "namespace config", {"relations", "permissions"}));
  const auto relations = json.find("relations");
  if (relations == json.end() || !relations->is_object()) {
    return InvalidArgument("namespace config needs an object \"relations\"");
  }
  NamespaceConfig config;
  for (const auto& [name, value] : relations->items()) {
    ASSIGN_OR_RETURN(config.relations[name], ParseRelation(name, value));
  }
  const auto permissions = json.find("permissions");
  if (permissions != json.end()) {
    if (!permissions->is_object()) return InvalidArgument("\"permissions\" must be an object");
    for (const auto& [name, value] : permissions->items()) {
      ASSIGN_OR_RETURN(config.permissions[name],
                       ParseNameList(value, "permission " + Printable(name)));
    }
  }
  return config;
}

Status CheckReference(const NamespaceConfig& config, const std::string& where,
                      const std::string& name) {
  RETURN_IF_ERROR(CheckName("relation name in " + where, name));
  if (config.FindRelation(name) == nullptr) {
    return InvalidArgument(where + " refers to unknown relation " + Printable(name));
  }
  return Status::OK();
}

Status ValidateRelation(const NamespaceConfig& config, const std::string& name,
                        const RelationDef& def) {
  RETURN_IF_ERROR(CheckName("relation name", name));
  const std::string where = "relation " + Printable(name);
  switch (def.kind) {
    case RelationDef::Kind::kDirect:
      return Status::OK();
    case RelationDef::Kind::kUnion:
      if (def.children.empty()) return InvalidArgument(where + " is an empty union");
      for (const std::string& child : def.children) {
        RETURN_IF_ERROR(CheckReference(config, where, child));
      }
      return Status::OK();
    case RelationDef::Kind::kTupleToUserset: {
      RETURN_IF_ERROR(CheckReference(config, where, def.tupleset));
      if (config.FindRelation(def.tupleset)->kind != RelationDef::Kind::kDirect) {
        return InvalidArgument(where + ": tupleset " + Printable(def.tupleset) +
                               " must be a direct relation");
      }
      // Resolved on the types the tupleset's subjects have, which are not known here.
      return CheckName("computedUserset of " + where, def.computed_userset);
    }
  }
  return Internal("unknown relation kind");
}

}  // namespace

const RelationDef* NamespaceConfig::FindRelation(std::string_view name) const {
  auto it = relations.find(name);
  return it == relations.end() ? nullptr : &it->second;
}

std::string_view KindName(RelationDef::Kind kind) {
  switch (kind) {
    case RelationDef::Kind::kDirect:
      return "direct";
    case RelationDef::Kind::kUnion:
      return "union";
    case RelationDef::Kind::kTupleToUserset:
      return "tupleToUserset";
  }
  return "unknown";
}

StatusOr<NamespaceConfig> ParseNamespaceConfig(std::string_view json) {
  Json parsed = Json::parse(json, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgument("namespace config is not valid JSON");
  ASSIGN_OR_RETURN(NamespaceConfig config, FromJson(parsed));
  RETURN_IF_ERROR(ValidateNamespaceConfig(config));
  return config;
}

Status ValidateNamespaceConfig(const NamespaceConfig& config) {
  if (config.relations.size() > kMaxRelations || config.permissions.size() > kMaxPermissions) {
    return InvalidArgument("namespace config has too many relations or permissions (at most " +
                           std::to_string(kMaxRelations) + " each)");
  }
  for (const auto& [name, def] : config.relations) {
    RETURN_IF_ERROR(ValidateRelation(config, name, def));
  }
  for (const auto& [name, relations] : config.permissions) {
    RETURN_IF_ERROR(CheckName("permission name", name));
    const std::string where = "permission " + Printable(name);
    if (relations.empty()) return InvalidArgument(where + " lists no relations");
    for (const std::string& relation : relations) {
      RETURN_IF_ERROR(CheckReference(config, where, relation));
    }
  }
  return Status::OK();
}

std::string NamespaceConfigToJson(const NamespaceConfig& config) {
  Json relations = Json::object();
  for (const auto& [name, def] : config.relations) {
    Json value = Json::object();
    if (def.kind == RelationDef::Kind::kUnion) value["union"] = def.children;
    if (def.kind == RelationDef::Kind::kTupleToUserset) {
      value["tupleToUserset"] = {{"tupleset", def.tupleset},
                                 {"computedUserset", def.computed_userset}};
    }
    relations[name] = std::move(value);
  }
  Json permissions = Json::object();
  for (const auto& [name, list] : config.permissions) permissions[name] = list;
  return Json{{"relations", std::move(relations)}, {"permissions", std::move(permissions)}}.dump(
      -1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace nexus::rebac

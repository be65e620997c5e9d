#include "services/workspaces/workspace_config.h"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "util/path.h"

namespace nexus::services {
namespace {

Status Invalid(const std::string& problem) {
  return Status(Code::kValidation, "workspace config: " + problem);
}

StatusOr<std::string> Scalar(const YAML::Node& node, const std::string& where) {
  if (!node.IsScalar()) return Invalid(where + " must be a string");
  return node.Scalar();
}

StatusOr<std::string> FlatMetadata(const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) return Invalid(where + ".metadata must be a mapping");
  nlohmann::json out = nlohmann::json::object();
  for (const auto& kv : node) {
    ASSIGN_OR_RETURN(const std::string key, Scalar(kv.first, where + ".metadata key"));
    ASSIGN_OR_RETURN(out[key], Scalar(kv.second, where + ".metadata." + key));
  }
  return out.dump();
}

StatusOr<ConfigEntry> Entry(DirKind kind, const YAML::Node& node, const std::string& where) {
  if (!node.IsMap()) return Invalid(where + " must be a mapping");
  ConfigEntry entry;
  entry.kind = kind;
  for (const auto& kv : node) {
    ASSIGN_OR_RETURN(const std::string key, Scalar(kv.first, where + " key"));
    const std::string at = where + "." + key;
    if (key == "path") {
      ASSIGN_OR_RETURN(entry.path, Scalar(kv.second, at));
    } else if (key == "name") {
      ASSIGN_OR_RETURN(entry.name, Scalar(kv.second, at));
    } else if (key == "description") {
      ASSIGN_OR_RETURN(entry.description, Scalar(kv.second, at));
    } else if (key == "metadata") {
      ASSIGN_OR_RETURN(entry.metadata_json, FlatMetadata(kv.second, where));
    } else {
      return Invalid(where + " has unknown key '" + key + "'");
    }
  }
  if (entry.path.empty()) return Invalid(where + " needs a path");
  return entry;
}

StatusOr<std::vector<ConfigEntry>> FromDocument(const YAML::Node& doc) {
  if (!doc.IsMap()) return Invalid("the top level must be a mapping");
  std::vector<ConfigEntry> out;
  for (const auto& kv : doc) {
    ASSIGN_OR_RETURN(const std::string key, Scalar(kv.first, "a top-level key"));
    if (key != "workspaces" && key != "memories")
      return Invalid("unknown top-level key '" + key + "' (workspaces, memories)");
    if (kv.second.IsNull()) continue;
    if (!kv.second.IsSequence()) return Invalid(key + " must be a list");
    const DirKind kind = key == "workspaces" ? DirKind::kWorkspace : DirKind::kMemory;
    size_t i = 0;
    for (const YAML::Node& item : kv.second) {
      // Checked before each entry is read, so aliases cannot multiply the work.
      if (out.size() == kMaxWorkspaceConfigEntries)
        return Invalid("more than " + std::to_string(kMaxWorkspaceConfigEntries) + " entries");
      ASSIGN_OR_RETURN(ConfigEntry entry, Entry(kind, item, key + "[" + std::to_string(i++) + "]"));
      out.push_back(std::move(entry));
    }
  }
  return out;
}

}  // namespace

StatusOr<std::vector<ConfigEntry>> ParseWorkspaceConfig(std::string_view yaml) {
  if (yaml.size() > kMaxWorkspaceConfigBytes)
    return Invalid("larger than " + std::to_string(kMaxWorkspaceConfigBytes) + " bytes");
  if (!IsValidUtf8(yaml)) return Invalid("not valid UTF-8");
  try {
    return FromDocument(YAML::Load(std::string(yaml)));
  } catch (const YAML::Exception& e) {
    return Invalid(std::string("invalid YAML: ") + e.what());
  }
}

}  // namespace nexus::services

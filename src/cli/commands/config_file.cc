#include "cli/commands/config_file.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "util/file.h"

namespace nexus::cli {
namespace {

Status Invalid(const std::string& path, const std::string& what) {
  return InvalidArgument(path + ": " + what);
}

StatusOr<std::string> ScalarOf(const YAML::Node& node, const std::string& path,
                               const std::string& key) {
  if (!node) return std::string();
  if (!node.IsScalar()) return Invalid(path, key + " must be a string");
  return node.Scalar();
}

StatusOr<Profile> ProfileOf(const YAML::Node& node, const std::string& path,
                            const std::string& name) {
  if (!node.IsMap()) return Invalid(path, "profile '" + name + "' must be a mapping");
  Profile profile;
  ASSIGN_OR_RETURN(profile.url, ScalarOf(node["url"], path, name + ".url"));
  ASSIGN_OR_RETURN(profile.api_key, ScalarOf(node["api_key"], path, name + ".api_key"));
  return profile;
}

StatusOr<ConfigFile> Parse(const YAML::Node& root, const std::string& path) {
  ConfigFile config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) return Invalid(path, "must be a mapping");
  ASSIGN_OR_RETURN(config.default_profile,
                   ScalarOf(root["default_profile"], path, "default_profile"));
  const YAML::Node profiles = root["profiles"];
  if (profiles && !profiles.IsNull()) {
    if (!profiles.IsMap()) return Invalid(path, "profiles must be a mapping");
    for (const auto& entry : profiles) {
      const std::string name = entry.first.Scalar();
      if (!IsProfileName(name)) return Invalid(path, "bad profile name '" + name + "'");
      ASSIGN_OR_RETURN(config.profiles[name], ProfileOf(entry.second, path, name));
    }
  }
  return config;
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

std::string ConfigPath() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    return std::string(xdg) + "/nexus/config.yaml";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.config/nexus/config.yaml";
  return {};
}

bool IsProfileName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  }
  return true;
}

StatusOr<ConfigFile> LoadConfig(const std::string& path) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return ConfigFile{};
    return text.status();
  }
  try {
    return Parse(YAML::Load(*text), path);
  } catch (const YAML::Exception& e) {
    return Invalid(path, e.what());
  }
}

Status SaveConfig(const std::string& path, const ConfigFile& config) {
  const std::string dir = DirectoryOf(path);
  RETURN_IF_ERROR(CreateDirectories(dir));
  // CreateDirectories leaves the umask's mode; the directory holds keys.
  ::chmod(dir.c_str(), 0700);  // best effort: a shared parent may not be ours to change
  YAML::Emitter out;
  out << YAML::BeginMap;
  if (!config.default_profile.empty())
    out << YAML::Key << "default_profile" << YAML::Value << config.default_profile;
  out << YAML::Key << "profiles" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, profile] : config.profiles) {
    out << YAML::Key << name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "url" << YAML::Value << profile.url;
    out << YAML::Key << "api_key" << YAML::Value << profile.api_key;
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  const std::string text = "# Written by `nexus login`. It holds API keys: keep it private.\n" +
                           std::string(out.c_str()) + "\n";
  return WriteFileAtomically(path, text, /*sync=*/true, /*mode=*/0600);
}

}  // namespace nexus::cli

// The command line's profiles: named server URLs and API keys in
// ~/.config/nexus/config.yaml (or $XDG_CONFIG_HOME/nexus/config.yaml), written by
// `nexus login` with mode 0600 because it holds keys.
//
//   default_profile: work
//   profiles:
//     work:
//       url: https://nexus.example.com
//       api_key: sk-...
#ifndef NEXUS_CLI_COMMANDS_CONFIG_FILE_H_
#define NEXUS_CLI_COMMANDS_CONFIG_FILE_H_

#include <map>
#include <string>

#include "util/status.h"

namespace nexus::cli {

struct Profile {
  std::string url;
  std::string api_key;
};

struct ConfigFile {
  std::string default_profile;  // empty: "default"
  std::map<std::string, Profile> profiles;
};

// Where the file lives for this user; empty when neither XDG_CONFIG_HOME nor HOME is set.
std::string ConfigPath();

// Profile names are what a person types: letters, digits, '-', '_' and '.'.
bool IsProfileName(const std::string& name);

// A missing file is an empty config. kInvalidArgument, naming the file, for YAML that does
// not have the shape above.
StatusOr<ConfigFile> LoadConfig(const std::string& path);

// Writes atomically with mode 0600, creating the directory (mode 0700) when needed.
Status SaveConfig(const std::string& path, const ConfigFile& config);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_CONFIG_FILE_H_

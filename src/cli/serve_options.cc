#include "cli/serve_options.h"

#include <yaml-cpp/yaml.h>

#include "cluster/cluster.h"
#include "util/file.h"

namespace nexus::cli {
namespace {

// Reads a scalar of type T at `node`, naming `key` when it has the wrong type.
template <typename T>
Status ReadScalar(const YAML::Node& node, const std::string& key, T* out) {
  if (!node.IsScalar()) return InvalidArgument("config key '" + key + "' must be a scalar");
  try {
    *out = node.as<T>();
  } catch (const YAML::Exception&) {
    return InvalidArgument("config key '" + key + "' has the wrong type: '" + node.Scalar() + "'");
  }
  return Status::OK();
}

class ConfigReader {
 public:
  ConfigReader(ServeOptions& options, const std::function<bool(std::string_view)>& on_cli,
               std::vector<std::string>* ignored)
      : options_(options), on_cli_(on_cli), ignored_(ignored) {}

  Status Read(const YAML::Node& root) {
    if (!root.IsMap()) return InvalidArgument("config file must be a YAML mapping");
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>();
      const YAML::Node& value = entry.second;
      if (key == "server") {
        RETURN_IF_ERROR(ReadServer(value));
      } else if (key == "database") {
        RETURN_IF_ERROR(ReadDatabase(value));
      } else if (key == "db_path") {
        std::string db_path;
        RETURN_IF_ERROR(ReadScalar(value, key, &db_path));
        if (!on_cli_("--database-url") && options_.database_url.empty())
          options_.database_url = db_path;
      } else if (key == "data_dir") {
        RETURN_IF_ERROR(Take(value, key, "--data-dir", &options_.data_dir));
      } else if (key == "backends") {
        RETURN_IF_ERROR(ReadBackends(value));
      } else if (key == "mounts") {
        RETURN_IF_ERROR(ReadMounts(value));
      } else if (key == "oauth") {
        RETURN_IF_ERROR(ReadOAuthConfig(value, &options_.oauth, ignored_));
      } else if (key == "webhooks") {
        RETURN_IF_ERROR(ReadWebhooks(value));
      } else if (key == "cluster") {
        RETURN_IF_ERROR(ReadCluster(value));
      } else {
        ignored_->push_back(key);
      }
    }
    return Status::OK();
  }

 private:
  template <typename T>
  Status Take(const YAML::Node& value, const std::string& key, std::string_view flag, T* out) {
    T parsed{};
    RETURN_IF_ERROR(ReadScalar(value, key, &parsed));
    if (!on_cli_(flag)) *out = parsed;
    return Status::OK();
  }

  Status ReadServer(const YAML::Node& server) {
    if (!server.IsMap()) return InvalidArgument("config key 'server' must be a mapping");
    for (const auto& entry : server) {
      const std::string key = entry.first.as<std::string>();
      if (key == "host") {
        RETURN_IF_ERROR(Take(entry.second, "server.host", "--host", &options_.host));
      } else if (key == "port") {
        RETURN_IF_ERROR(Take(entry.second, "server.port", "--port", &options_.port));
      } else if (key == "workers") {
        RETURN_IF_ERROR(Take(entry.second, "server.workers", "--workers", &options_.workers));
      } else if (key == "max_body_memory_bytes") {
        RETURN_IF_ERROR(Take(entry.second, "server.max_body_memory_bytes",
                             "--max-body-memory-bytes", &options_.max_body_memory_bytes));
      } else {
        ignored_->push_back("server." + key);
      }
    }
    return Status::OK();
  }

  Status ReadDatabase(const YAML::Node& database) {
    if (!database.IsMap()) return InvalidArgument("config key 'database' must be a mapping");
    for (const auto& entry : database) {
      const std::string key = entry.first.as<std::string>();
      if (key == "url") {
        RETURN_IF_ERROR(
            Take(entry.second, "database.url", "--database-url", &options_.database_url));
      } else {
        ignored_->push_back("database." + key);
      }
    }
    return Status::OK();
  }

  // Only a local backend at "/" applies: content always lives in our own blob store.
  Status ReadBackends(const YAML::Node& backends) {
    if (!backends.IsSequence()) return InvalidArgument("config key 'backends' must be a list");
    for (size_t i = 0; i < backends.size(); ++i) {
      const YAML::Node& b = backends[i];
      if (!b.IsMap())
        return InvalidArgument("config key 'backends[" + std::to_string(i) +
                               "]' must be a mapping");
      std::string type = "local";
      std::string mount = "/";
      if (b["type"]) RETURN_IF_ERROR(ReadScalar(b["type"], "backends[].type", &type));
      if (b["mount_point"])
        RETURN_IF_ERROR(ReadScalar(b["mount_point"], "backends[].mount_point", &mount));
      if (type != "local" || mount != "/")
        ignored_->push_back("backends[" + std::to_string(i) + "] (" + type + " at " + mount + ")");
    }
    return Status::OK();
  }

  Status ReadMounts(const YAML::Node& mounts) {
    if (!mounts.IsMap()) return InvalidArgument("config key 'mounts' must be a mapping");
    for (const auto& entry : mounts) {
      const std::string key = entry.first.as<std::string>();
      if (key != "local_roots") {
        ignored_->push_back("mounts." + key);
        continue;
      }
      const YAML::Node& roots = entry.second;
      if (!roots.IsSequence())
        return InvalidArgument("config key 'mounts.local_roots' must be a list of directories");
      std::vector<std::string> parsed(roots.size());
      for (size_t i = 0; i < roots.size(); ++i)
        RETURN_IF_ERROR(
            ReadScalar(roots[i], "mounts.local_roots[" + std::to_string(i) + "]", &parsed[i]));
      if (!on_cli_("--mount-root")) options_.mount_roots = std::move(parsed);
    }
    return Status::OK();
  }

  Status ReadWebhooks(const YAML::Node& webhooks) {
    if (!webhooks.IsMap()) return InvalidArgument("config key 'webhooks' must be a mapping");
    for (const auto& entry : webhooks) {
      const std::string key = entry.first.as<std::string>();
      if (key == "retry_backoff_ms") {
        RETURN_IF_ERROR(Take(entry.second, "webhooks.retry_backoff_ms",
                             "--webhook-retry-backoff-ms", &options_.webhook_retry_backoff_ms));
      } else if (key == "lease_ms") {
        RETURN_IF_ERROR(Take(entry.second, "webhooks.lease_ms", "--webhook-lease-ms",
                             &options_.webhook_lease_ms));
      } else if (key == "allow_private_networks") {
        RETURN_IF_ERROR(Take(entry.second, "webhooks.allow_private_networks",
                             "--webhook-allow-private-networks",
                             &options_.webhook_allow_private_networks));
      } else {
        ignored_->push_back("webhooks." + key);
      }
    }
    return Status::OK();
  }

  Status ReadCluster(const YAML::Node& cluster) {
    if (!cluster.IsMap()) return InvalidArgument("config key 'cluster' must be a mapping");
    for (const auto& entry : cluster) {
      const std::string key = entry.first.as<std::string>();
      if (key == "node_id") {
        RETURN_IF_ERROR(Take(entry.second, "cluster.node_id", "--node-id", &options_.node_id));
      } else if (key == "advertise_url") {
        RETURN_IF_ERROR(Take(entry.second, "cluster.advertise_url", "--advertise-url",
                             &options_.advertise_url));
      } else if (key == "drain_seconds") {
        RETURN_IF_ERROR(Take(entry.second, "cluster.drain_seconds", "--drain-seconds",
                             &options_.drain_seconds));
      } else {
        ignored_->push_back("cluster." + key);
      }
    }
    return Status::OK();
  }

  ServeOptions& options_;
  const std::function<bool(std::string_view)>& on_cli_;
  std::vector<std::string>* ignored_;
};

}  // namespace

Status ApplyConfigFile(const std::string& path, ServeOptions& options,
                       const std::function<bool(std::string_view flag)>& set_on_command_line,
                       std::vector<std::string>* ignored) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return InvalidArgument("cannot read config file " + path);
  return ApplyConfigText(*text, path, options, set_on_command_line, ignored);
}

Status ApplyConfigText(std::string_view yaml, std::string_view source, ServeOptions& options,
                       const std::function<bool(std::string_view flag)>& set_on_command_line,
                       std::vector<std::string>* ignored) {
  const std::string name(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return InvalidArgument("config file " + name + " is not valid YAML: " + e.what());
  }
  if (root.IsNull()) return Status::OK();
  try {
    return ConfigReader(options, set_on_command_line, ignored).Read(root);
  } catch (const YAML::Exception& e) {
    return InvalidArgument("config file " + name + ": " + e.what());
  }
}

Status ValidateServeOptions(const ServeOptions& options) {
  if (options.port < 0 || options.port > 65535) return InvalidArgument("port must be 0..65535");
  if (options.workers < 1 || options.workers > 1024)
    return InvalidArgument("workers must be 1..1024");
  if (options.auth_type != "database" && options.auth_type != "none") {
    return InvalidArgument("auth type must be 'database' or 'none', got '" + options.auth_type +
                           "'");
  }
  if (options.durability != "full" && options.durability != "normal") {
    return InvalidArgument("durability must be 'full' or 'normal', got '" + options.durability +
                           "'");
  }
  if (options.max_queue < 1) return InvalidArgument("max queue must be at least 1");
  if (options.max_body_bytes < 1024) return InvalidArgument("max body must be at least 1024 bytes");
  if (options.max_body_memory_bytes < (1 << 20))
    return InvalidArgument("max body memory must be at least 1 MiB (1048576 bytes)");
  if (options.header_timeout_seconds < 1 || options.header_timeout_seconds > 3600)
    return InvalidArgument("header timeout must be 1..3600 seconds");
  if (options.data_dir.empty()) return InvalidArgument("data directory must not be empty");
  if (options.webhook_retry_backoff_ms < 1 || options.webhook_retry_backoff_ms > 600000)
    return InvalidArgument("webhook retry backoff must be 1..600000 ms");
  if (options.webhook_lease_ms < 100 || options.webhook_lease_ms > 86400000)
    return InvalidArgument("webhook lease must be 100..86400000 ms");
  if (!options.node_id.empty() && !cluster::IsNodeId(options.node_id)) {
    return InvalidArgument("node id must be 1..64 letters, digits, '-', '_' or '.', got '" +
                           options.node_id + "'");
  }
  if (!options.advertise_url.empty() && !options.advertise_url.starts_with("http://") &&
      !options.advertise_url.starts_with("https://")) {
    return InvalidArgument("advertise URL must start with http:// or https://, got '" +
                           options.advertise_url + "'");
  }
  if (options.drain_seconds < 0 || options.drain_seconds > 3600)
    return InvalidArgument("drain must be 0..3600 seconds");
  for (const std::string& root : options.mount_roots) {
    if (!root.starts_with("/"))
      return InvalidArgument("mount root must be an absolute path, got '" + root + "'");
  }
  return Status::OK();
}

}  // namespace nexus::cli

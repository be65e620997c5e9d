#include "cli/commands/remote.h"

#include "cli/commands/exit_codes.h"

namespace nexus::cli {
namespace {

std::string FromEnv(const Getenv& getenv, const char* name) {
  const char* value = getenv(name);
  return value ? value : "";
}

}  // namespace

StatusOr<Target> ResolveTarget(const GlobalOptions& options, const Getenv& getenv) {
  Target target;
  target.config_path = ConfigPath();
  std::string profile_name = options.profile;
  if (profile_name.empty()) profile_name = FromEnv(getenv, "NEXUS_PROFILE");
  const bool named = !profile_name.empty();
  ConfigFile config;
  if (!target.config_path.empty()) {
    ASSIGN_OR_RETURN(config, LoadConfig(target.config_path));
  }
  if (!named) profile_name = config.default_profile.empty() ? "default" : config.default_profile;
  if (const auto it = config.profiles.find(profile_name); it != config.profiles.end()) {
    target.profile = profile_name;
    if (!it->second.url.empty()) {
      target.url = it->second.url;
      target.url_from = "profile " + profile_name;
    }
    target.api_key = it->second.api_key;
  } else if (named) {
    target.missing_profile = profile_name;
  }
  if (std::string url = FromEnv(getenv, "NEXUS_URL"); !url.empty()) {
    target.url = url;
    target.url_from = "NEXUS_URL";
  }
  if (std::string key = FromEnv(getenv, "NEXUS_API_KEY"); !key.empty()) target.api_key = key;
  if (!options.url.empty()) {
    target.url = options.url;
    target.url_from = "--url";
  }
  if (!options.api_key.empty()) target.api_key = options.api_key;
  return target;
}

Remote::Remote(GlobalOptions options, Target target)
    : options_(std::move(options)), target_(std::move(target)) {}

StatusOr<client::Client*> Remote::Client() {
  if (!client_) {
    if (!target_.missing_profile.empty()) {
      return InvalidArgument("no profile '" + target_.missing_profile + "' in " +
                             target_.config_path + " (create it with `nexus login --profile " +
                             target_.missing_profile + " --url URL --api-key KEY`)");
    }
    ASSIGN_OR_RETURN(client_, client::Client::Open(ClientOptionsFor()));
  }
  return client_.get();
}

client::ClientOptions Remote::ClientOptionsFor() const {
  client::ClientOptions options;
  options.url = target_.url;
  options.api_key = target_.api_key;
  options.ca_file = options_.ca_file;
  options.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_seconds * 1000));
  options.user_agent = "nexus-cli";
  return options;
}

StatusOr<client::Value> Remote::Call(std::string_view method, client::Value params,
                                     bool idempotent) {
  client::CallOptions call;
  call.idempotent = idempotent;
  return Call(method, std::move(params), call);
}

StatusOr<client::Value> Remote::Call(std::string_view method, client::Value params,
                                     const client::CallOptions& call) {
  ASSIGN_OR_RETURN(client::Client * client, Client());
  return client->Call(method, std::move(params), call);
}

void Remote::PrintJson(const client::Value& value) const {
  std::fprintf(stdout, "%s\n", client::ToPrettyJson(value).c_str());
}

std::string Remote::Hint(const Status& status) const {
  if (status.code() == Code::kUnauthenticated) {
    return target_.api_key.empty()
               ? "no API key: set NEXUS_API_KEY or run `nexus login --url URL --api-key KEY`"
               : "check the key, or run `nexus login` again";
  }
  if (status.code() == Code::kUnavailable && target_.url_from.empty()) {
    // Nothing named a server: the default is a guess a newcomer may not know was made.
    return "no server configured, so " + target_.url +
           " was tried: pass --url, set NEXUS_URL or run `nexus login --url URL --api-key KEY`";
  }
  return {};
}

int Remote::Fail(const Status& status) const {
  std::fprintf(stderr, "nexus: %s\n", status.message().c_str());
  if (const std::string hint = Hint(status); !hint.empty())
    std::fprintf(stderr, "nexus: %s\n", hint.c_str());
  return ExitCodeFor(status);
}

void Remote::Note(const std::string& text) const {
  if (!options_.quiet && !options_.json) std::fprintf(stdout, "%s\n", text.c_str());
}

}  // namespace nexus::cli

// Who and where: login, whoami, status.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"

namespace nexus::cli {
namespace {

using client::Value;

std::string Describe(const Value& who) {
  if (who["subject_id"].is_null()) return "anonymous (the server does not check keys)";
  std::string text = who["subject_type"].AsString() + " " + who["subject_id"].AsString();
  if (who["tenant_id"].is_string()) text += " in tenant " + who["tenant_id"].AsString();
  if (who["is_admin"].AsBool()) text += ", admin";
  return text;
}

// Checks the key against the server before writing it, so that a typo is caught now and
// not at the next command.
int Login(Remote& r, bool make_default) {
  const GlobalOptions& o = r.options();
  const std::string name = o.profile.empty() ? "default" : o.profile;
  if (!IsProfileName(name))
    return r.Fail(InvalidArgument("bad profile name '" + name + "' (letters, digits, - _ .)"));
  const std::string& path = r.target().config_path;
  if (path.empty()) return r.Fail(InvalidArgument("neither HOME nor XDG_CONFIG_HOME is set"));
  const client::ClientOptions options = r.ClientOptionsFor();
  if (options.api_key.empty())
    return r.Fail(InvalidArgument("no API key: pass --api-key KEY (or set NEXUS_API_KEY)"));
  StatusOr<std::unique_ptr<client::Client>> client = client::Client::Open(options);
  if (!client.ok()) return r.Fail(client.status());
  StatusOr<Value> who = WhoAmI(**client);
  if (!who.ok()) return r.Fail(who.status());
  StatusOr<ConfigFile> config = LoadConfig(path);
  if (!config.ok()) return r.Fail(config.status());
  config->profiles[name] = Profile{options.url, options.api_key};
  if (config->default_profile.empty() || make_default) config->default_profile = name;
  if (Status s = SaveConfig(path, *config); !s.ok()) return r.Fail(s);
  if (r.json()) {
    r.PrintJson({{"profile", name}, {"url", options.url}, {"config", path}, {"whoami", *who}});
  } else {
    r.Note("Logged in to " + options.url + " as " + Describe(*who) + " (profile " + name +
           ", saved in " + path + ")");
  }
  return kExitOk;
}

int ShowWhoAmI(Remote& r) {
  StatusOr<client::Client*> client = r.Client();
  if (!client.ok()) return r.Fail(client.status());
  StatusOr<Value> who = WhoAmI(**client);
  if (!who.ok()) return r.Fail(who.status());
  if (r.json()) {
    r.PrintJson(*who);
  } else {
    std::printf("%s\n", Describe(*who).c_str());
  }
  return kExitOk;
}

// Where the command line points and whether the server answers: for "why does nothing
// work" moments. Exits non-zero when the server cannot be reached or refuses the key.
int ShowStatus(Remote& r) {
  StatusOr<client::Client*> client = r.Client();
  if (!client.ok()) return r.Fail(client.status());
  StatusOr<Value> health = (*client)->GetJson("/health");
  StatusOr<Value> who = health.ok() ? WhoAmI(**client) : health.status();
  if (r.json()) {
    Value out = {{"url", r.target().url},
                 {"url_from", r.target().url_from},
                 {"profile", r.target().profile},
                 {"config", r.target().config_path},
                 {"reachable", health.ok()}};
    if (health.ok()) out.Set("health", *health);
    out.Set("whoami", who.ok() ? *who : Value());
    if (!who.ok()) out.Set("error", who.status().message());
    r.PrintJson(out);
  } else {
    Table table;
    const std::string& from = r.target().url_from;
    table.AddRow(
        {"server:", r.target().url + " (" + (from.empty() ? "the default" : "from " + from) + ")"});
    table.AddRow({"profile:", r.target().profile.empty() ? "(none)" : r.target().profile});
    table.AddRow({"config:", r.target().config_path});
    table.AddRow({"health:", health.ok() ? (*health)["status"].AsString() : "unreachable"});
    table.AddRow({"identity:", who.ok() ? Describe(*who) : who.status().message()});
    table.Print(stdout);
  }
  if (who.ok()) return kExitOk;
  if (const std::string hint = r.Hint(who.status()); !hint.empty())
    std::fprintf(stderr, "nexus: %s\n", hint.c_str());
  return ExitCodeFor(who.status());
}

}  // namespace

void AddAccountCommands(CLI::App& app, RemoteCommand* run) {
  auto make_default = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "login", "Check a server URL and API key (--url, --api-key), and save them as a profile");
  cmd->add_flag("--default", *make_default, "Make this profile (--profile) the default");
  cmd->callback([run, make_default] {
    *run = [make_default](Remote& r) { return Login(r, *make_default); };
  });

  cmd = app.add_subcommand("whoami", "Show who the server takes you for");
  cmd->callback([run] { *run = ShowWhoAmI; });

  cmd = app.add_subcommand("status", "Show the server, the profile and whether both work");
  cmd->callback([run] { *run = ShowStatus; });
}

}  // namespace nexus::cli

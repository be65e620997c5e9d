// What every command that talks to a server shares: the global flags, where the server
// and the key come from, the client, and how results and errors are printed.
//
// The server and key come from, first to last: --url / --api-key, NEXUS_URL /
// NEXUS_API_KEY, the profile named by --profile or NEXUS_PROFILE (else the config's
// default_profile, else "default"), and finally http://localhost:8080 without a key.
#ifndef NEXUS_CLI_COMMANDS_REMOTE_H_
#define NEXUS_CLI_COMMANDS_REMOTE_H_

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "cli/commands/config_file.h"
#include "client/client.h"

namespace nexus::cli {

struct GlobalOptions {
  std::string url;
  std::string api_key;
  std::string profile;
  std::string ca_file;
  double timeout_seconds = 60;
  bool json = false;   // one JSON document (or JSON lines) on stdout, for scripts
  bool quiet = false;  // no progress and no notes on stderr
};

// The server a command talks to, and where that choice came from (for `nexus status`).
struct Target {
  std::string url = "http://localhost:8080";
  // Where `url` came from: "--url", "NEXUS_URL", "profile NAME"; "" for the default above.
  std::string url_from;
  std::string api_key;
  std::string profile;  // the profile used, "" when none was
  std::string config_path;
  // A profile asked for by name that the config lacks: an error for every command but
  // `nexus login`, which creates it.
  std::string missing_profile;
};

using Getenv = std::function<const char*(const char*)>;

// Applies the order above. kInvalidArgument when the config file is malformed.
StatusOr<Target> ResolveTarget(const GlobalOptions& options, const Getenv& getenv);

class Remote {
 public:
  Remote(GlobalOptions options, Target target);

  const GlobalOptions& options() const { return options_; }
  const Target& target() const { return target_; }
  bool json() const { return options_.json; }

  // The client, opened on first use.
  StatusOr<client::Client*> Client();
  // What Client() opens with: the target's URL and key and the global flags. For `nexus
  // login`, which checks a key before any profile holds it.
  client::ClientOptions ClientOptionsFor() const;
  // Calls `method` on the server. Reads mark themselves `idempotent` so they are resent
  // after a dropped connection.
  StatusOr<client::Value> Call(std::string_view method, client::Value params,
                               bool idempotent = false);
  // With per-call options, such as a longer timeout for a call that runs code.
  StatusOr<client::Value> Call(std::string_view method, client::Value params,
                               const client::CallOptions& call);

  // Prints `value` as JSON on stdout (with --json).
  void PrintJson(const client::Value& value) const;
  // Prints "nexus: <message>" on stderr, with a hint where one helps, and returns the exit
  // status for `status`.
  int Fail(const Status& status) const;
  // What to do about `status` ("set NEXUS_API_KEY or run `nexus login`"), "" when nothing
  // more than its message helps.
  std::string Hint(const Status& status) const;
  // A confirmation for people on stdout ("Wrote 12 bytes to /a"), unless --quiet or --json
  // (with --json the command prints the server's answer instead).
  void Note(const std::string& text) const;

 private:
  const GlobalOptions options_;
  const Target target_;
  std::unique_ptr<client::Client> client_;
};

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_REMOTE_H_

// What the command groups share: options kept alive from parsing to running, one call shown
// to people or to scripts, answer fields as table cells, and who the caller is.
#ifndef NEXUS_CLI_COMMANDS_COMMAND_HELPERS_H_
#define NEXUS_CLI_COMMANDS_COMMAND_HELPERS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cli/commands/commands.h"

namespace nexus::cli {

// A command's options: filled by the parser, read when the command runs.
template <typename Options>
std::shared_ptr<Options> Shared() {
  return std::make_shared<Options>();
}

// When `cmd` is parsed, sets `*run` to `fn(remote, *options)`.
template <typename Options, typename Fn>
void OnRun(CLI::App* cmd, RemoteCommand* run, std::shared_ptr<Options> options, Fn fn) {
  cmd->callback(
      [run, options, fn] { *run = [options, fn](Remote& r) { return fn(r, *options); }; });
}

// How a command shows an answer to people (with --json the answer is printed instead).
using Render = std::function<void(const client::Value& answer)>;

// Calls `method` and shows its answer; a failed call prints its error and returns its exit
// status. Reads are marked `idempotent` so that they are resent after a dropped connection.
int Show(Remote& r, std::string_view method, client::Value params, const Render& render,
         bool idempotent = true);

// Show for a method that answers a list, of which only the first `limit` items (all for 0)
// are shown, to people and scripts alike.
int ShowFirst(Remote& r, std::string_view method, client::Value params, int limit,
              const Render& render);

// Runs one call that changes something and confirms it for people with `note`. When
// `missing` is given, an answer saying that nothing was there to change (false, null, or an
// object of one false member such as {"deleted": false}) fails as kNotFound with it.
int Simple(Remote& r, std::string_view method, client::Value params, const std::string& note,
           const std::string& missing = "");

// Prints "nexus: <message>" and returns the usage exit status: for a combination of
// arguments the parser cannot check. Nothing was done.
int UsageError(const Remote& r, const std::string& message);

// An answer field as a table cell: a string as it is, a number or boolean as JSON writes
// it, a list of strings joined by ", ", and "-" for null or an empty string.
std::string Cell(const client::Value& value);

// The first line of `text`, cut to `width` characters with "..." when longer.
std::string Summary(const std::string& text, size_t width);

// The identity the server sees for the client's key; kUnauthenticated when it sees none.
StatusOr<client::Value> WhoAmI(client::Client& client);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_COMMAND_HELPERS_H_

// How the command line shows things to people: sizes, times, aligned columns, colour.
// Scripts use --json instead, so none of this is a contract.
#ifndef NEXUS_CLI_COMMANDS_FORMAT_H_
#define NEXUS_CLI_COMMANDS_FORMAT_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "client/value.h"

namespace nexus::cli {

// "0 B", "512 B", "4.2 KiB", "13 MiB": one decimal below 10 units.
std::string HumanSize(int64_t bytes);

// "1 file", "2 files": `n` and a noun that takes an s in the plural.
std::string Count(int64_t n, const std::string& noun);

// A server time (a datetime value or an ISO 8601 string, with or without an offset; none
// means UTC) in the local zone as "2025-12-18 01:02"; "-" when absent or unreadable.
std::string LocalTime(const client::Value& when);

// Rows printed in columns as wide as their widest cell, separated by two spaces; the last
// column is not padded. Columns marked numeric are aligned right. Widths count characters
// as a terminal shows them: colour codes take no room, a UTF-8 character one column.
class Table {
 public:
  explicit Table(std::vector<bool> numeric = {}) : numeric_(std::move(numeric)) {}
  // A header row ("NAME", "SIZE", ...), printed above the rows when there are any: an empty
  // listing prints nothing at all.
  void Header(std::vector<std::string> cells) { header_ = std::move(cells); }
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void Print(std::FILE* out) const;

 private:
  std::vector<bool> numeric_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// ANSI colours only when `out` is a terminal and NO_COLOR is unset (https://no-color.org).
class Painter {
 public:
  explicit Painter(std::FILE* out);
  std::string Directory(std::string_view name) const;  // bold blue
  std::string Dim(std::string_view text) const;
  std::string Added(std::string_view text) const;    // green, as git shows added lines
  std::string Removed(std::string_view text) const;  // red, as git shows removed lines

 private:
  std::string Wrap(std::string_view code, std::string_view text) const;
  bool enabled_;
};

}  // namespace nexus::cli

#endif  // NEXUS_CLI_COMMANDS_FORMAT_H_

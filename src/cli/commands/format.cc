#include "cli/commands/format.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <ctime>

namespace nexus::cli {
namespace {

// Reads `n` digits at s[*pos]; false when they are not there.
bool Digits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  const auto [end, ec] = std::from_chars(s.data() + *pos, s.data() + *pos + n, *out);
  if (ec != std::errc() || end != s.data() + *pos + n) return false;
  *pos += n;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

// "2025-12-18T01:02:03[.123456][Z|+01:00]" as seconds since the epoch.
bool ParseIso(std::string_view s, std::time_t* out) {
  std::tm tm{};
  size_t pos = 0;
  int year = 0, month = 0;
  if (!Digits(s, &pos, 4, &year) || !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &month) ||
      !Expect(s, &pos, '-') || !Digits(s, &pos, 2, &tm.tm_mday) ||
      !(Expect(s, &pos, 'T') || Expect(s, &pos, ' ')) || !Digits(s, &pos, 2, &tm.tm_hour) ||
      !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &tm.tm_min) || !Expect(s, &pos, ':') ||
      !Digits(s, &pos, 2, &tm.tm_sec)) {
    return false;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  if (Expect(s, &pos, '.')) {
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  std::time_t t = ::timegm(&tm);
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '+' ? 1 : -1;
    ++pos;
    int hours = 0, minutes = 0;
    if (!Digits(s, &pos, 2, &hours) || !Expect(s, &pos, ':') || !Digits(s, &pos, 2, &minutes))
      return false;
    t -= sign * (hours * 3600 + minutes * 60);
  } else {
    Expect(s, &pos, 'Z');
  }
  *out = t;
  return pos == s.size();
}

}  // namespace

std::string HumanSize(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, value < 10 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
  return buf;
}

std::string Count(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string LocalTime(const client::Value& when) {
  std::time_t t = 0;
  if (!(when.is_string() || when.is_datetime()) || !ParseIso(when.AsString(), &t)) return "-";
  std::tm local{};
  ::localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &local);
  return buf;
}

namespace {

// Columns `cell` takes on a terminal: escape sequences ("\033[...m") none, a UTF-8
// character one.
size_t Width(std::string_view cell) {
  size_t width = 0;
  for (size_t i = 0; i < cell.size(); ++i) {
    if (cell[i] == '\033') {
      const size_t end = cell.find('m', i);
      if (end == std::string_view::npos) break;
      i = end;
    } else if ((static_cast<unsigned char>(cell[i]) & 0xC0) != 0x80) {
      ++width;
    }
  }
  return width;
}

}  // namespace

void Table::Print(std::FILE* out) const {
  if (rows_.empty()) return;
  std::vector<std::vector<std::string>> rows;
  if (!header_.empty()) rows.push_back(header_);
  rows.insert(rows.end(), rows_.begin(), rows_.end());
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const bool last = i + 1 == row.size();
      const std::string pad(widths[i] - Width(row[i]), ' ');
      const bool right = i < numeric_.size() && numeric_[i];
      line += right ? pad + row[i] : row[i] + (last ? std::string() : pad);
      if (!last) line += "  ";
    }
    std::fprintf(out, "%s\n", line.c_str());
  }
}

namespace {

// NO_COLOR counts when set to anything but the empty string.
bool NoColorRequested() {
  const char* no_color = std::getenv("NO_COLOR");
  return no_color != nullptr && *no_color != '\0';
}

}  // namespace

Painter::Painter(std::FILE* out) : enabled_(::isatty(::fileno(out)) == 1 && !NoColorRequested()) {}

std::string Painter::Wrap(std::string_view code, std::string_view text) const {
  if (!enabled_) return std::string(text);
  return "\033[" + std::string(code) + "m" + std::string(text) + "\033[0m";
}

std::string Painter::Directory(std::string_view name) const { return Wrap("1;34", name); }
std::string Painter::Dim(std::string_view text) const { return Wrap("2", text); }
std::string Painter::Added(std::string_view text) const { return Wrap("32", text); }
std::string Painter::Removed(std::string_view text) const { return Wrap("31", text); }

}  // namespace nexus::cli

#include "stress/mix.h"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace nexus::stress {
namespace {

constexpr const char* kNames[] = {"waves", "agents", "writes", "rebac", "skills", "sandboxes"};

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

bool ParseInt(std::string_view s, int* out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

}  // namespace

StatusOr<Mix> Mix::Parse(std::string_view spec) {
  Mix mix;
  for (int k = 0; k < static_cast<int>(std::size(kNames)); ++k) {
    mix.entries_.push_back({static_cast<Kind>(k), kNames[k], 0, {}});
  }
  std::set<std::string_view> seen;
  for (std::string_view item : Split(spec, ',')) {
    const size_t eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    auto entry = std::find_if(mix.entries_.begin(), mix.entries_.end(),
                              [&](const MixEntry& e) { return e.name == name; });
    if (eq == std::string_view::npos || entry == mix.entries_.end()) {
      return InvalidArgument(
          "mix: expected kind=weight with a kind of waves, agents, writes, "
          "rebac, skills, sandboxes; got '" +
          std::string(item) + "'");
    }
    if (!seen.insert(name).second) {
      return InvalidArgument("mix: '" + std::string(name) + "' is named twice");
    }
    const std::vector<std::string_view> fields = Split(item.substr(eq + 1), ':');
    if (!ParseInt(fields[0], &entry->weight) || entry->weight < 0) {
      return InvalidArgument("mix: the weight of '" + std::string(name) +
                             "' must be a non-negative integer");
    }
    for (size_t i = 1; i < fields.size(); ++i) {
      int code = 0;
      if (!ParseInt(fields[i], &code)) {
        return InvalidArgument("mix: '" + std::string(fields[i]) + "' is not an error code");
      }
      entry->expected_codes.insert(code);
    }
    mix.total_ += entry->weight;
  }
  if (mix.total_ == 0) return InvalidArgument("mix: every weight is zero");
  return mix;
}

const MixEntry& Mix::Pick(std::mt19937_64& rng) const {
  int ticket = std::uniform_int_distribution<int>(0, total_ - 1)(rng);
  for (const MixEntry& entry : entries_) {
    if (ticket < entry.weight) return entry;
    ticket -= entry.weight;
  }
  return entries_.back();  // unreachable: the weights sum to total_
}

const MixEntry& Mix::Of(Kind kind) const { return entries_[static_cast<size_t>(kind)]; }

}  // namespace nexus::stress

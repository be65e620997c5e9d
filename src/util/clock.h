// Wall-clock time as integer microseconds since the Unix epoch (UTC): the one timestamp
// format the store uses, so comparisons are numeric on every engine.
#ifndef NEXUS_UTIL_CLOCK_H_
#define NEXUS_UTIL_CLOCK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace nexus {

int64_t NowMicros();

// "2026-11-26T12:03:42.123456+00:00": ISO-8601 with an explicit UTC offset.
std::string FormatIsoMicros(int64_t micros);

// Parses ISO-8601 "YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|+HH:MM|-HH:MM]" (a space may stand
// for the T; no offset means UTC, as the reference's naive timestamps do). kInvalidArgument
// naming the text otherwise.
StatusOr<int64_t> ParseIsoMicros(std::string_view text);

}  // namespace nexus

#endif  // NEXUS_UTIL_CLOCK_H_

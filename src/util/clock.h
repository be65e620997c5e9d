// Wall-clock time as integer microseconds since the Unix epoch (UTC): the one timestamp
// format the store uses, so comparisons are numeric on every engine.
#ifndef NEXUS_UTIL_CLOCK_H_
#define NEXUS_UTIL_CLOCK_H_

#include <cstdint>
#include <string>

namespace nexus {

int64_t NowMicros();

// "2026-11-26T12:03:42.123456+00:00": ISO-8601 with an explicit UTC offset.
std::string FormatIsoMicros(int64_t micros);

}  // namespace nexus

#endif  // NEXUS_UTIL_CLOCK_H_

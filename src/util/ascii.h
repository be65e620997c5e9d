// ASCII-only text helpers: for protocol tokens (schemes, host names, search terms), where a
// locale must not change the answer.
#ifndef NEXUS_UTIL_ASCII_H_
#define NEXUS_UTIL_ASCII_H_

#include <string>
#include <string_view>

namespace nexus {

// `s` with the ASCII letters in lower case; every other byte unchanged.
std::string AsciiLower(std::string_view s);

}  // namespace nexus

#endif  // NEXUS_UTIL_ASCII_H_

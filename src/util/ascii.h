// ASCII-only text helpers: for protocol tokens (schemes, host names, search terms), where a
// locale must not change the answer.
#ifndef NEXUS_UTIL_ASCII_H_
#define NEXUS_UTIL_ASCII_H_

#include <string>
#include <string_view>

namespace nexus {

// `s` with the ASCII letters in lower case; every other byte unchanged.
std::string AsciiLower(std::string_view s);

// True when `a` and `b` are equal ignoring ASCII case (header names, tokens).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace nexus

#endif  // NEXUS_UTIL_ASCII_H_

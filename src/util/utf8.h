// UTF-8 validation (RFC 3629): what paths, names and JSON strings are checked against.
#ifndef NEXUS_UTIL_UTF8_H_
#define NEXUS_UTIL_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace nexus {

// The length (1 to 4) of the well-formed UTF-8 sequence at s[i], or 0 when the bytes there
// are not one: a stray continuation byte, a truncated or overlong sequence, a surrogate, or
// a value past U+10FFFF.
size_t Utf8SequenceLength(std::string_view s, size_t i);

// True when every byte sequence of `s` is valid UTF-8.
bool IsValidUtf8(std::string_view s);

// `s` with each byte that starts no well-formed sequence replaced by U+FFFD, as a text
// viewer shows a file that is not quite UTF-8.
std::string ToValidUtf8(std::string_view s);

// The longest prefix of `s` at most `max_bytes` long that does not cut a sequence in two,
// so text truncated there stays valid.
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes);

}  // namespace nexus

#endif  // NEXUS_UTIL_UTF8_H_

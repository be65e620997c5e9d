// Random identifiers drawn from OpenSSL's CSPRNG (RAND_bytes, seeded by the kernel).
//
// These never fail in practice. If the generator cannot produce bytes, the process aborts:
// handing out a predictable key or id would be worse than stopping, and callers could do
// nothing useful with an error.
#ifndef NEXUS_UTIL_IDS_H_
#define NEXUS_UTIL_IDS_H_

#include <cstddef>
#include <string>

namespace nexus {

// `bytes` random bytes (keys, nonces).
std::string RandomBytes(size_t bytes);
// `bytes` random bytes as 2*bytes lower-case hex digits (Python's secrets.token_hex).
std::string RandomHex(size_t bytes);

// A random (version 4, RFC 4122) UUID in its canonical lower-case form,
// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" with y one of 8, 9, a, b.
std::string NewUuid4();

// True when `s` has the canonical form NewUuid4 produces.
bool IsUuid4(const std::string& s);

}  // namespace nexus

#endif  // NEXUS_UTIL_IDS_H_

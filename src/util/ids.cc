#include "util/ids.h"

#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace nexus {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void FillRandom(unsigned char* out, size_t n) {
  if (n > static_cast<size_t>(INT_MAX) || RAND_bytes(out, static_cast<int>(n)) != 1) {
    std::fputs("nexus: the random number generator failed; refusing to continue\n", stderr);
    std::abort();
  }
}

std::string Hex(const unsigned char* data, size_t n) {
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHexDigits[data[i] >> 4];
    out[2 * i + 1] = kHexDigits[data[i] & 0xf];
  }
  return out;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::string RandomBytes(size_t bytes) {
  std::string out(bytes, '\0');
  FillRandom(reinterpret_cast<unsigned char*>(out.data()), out.size());
  return out;
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  FillRandom(buf.data(), buf.size());
  return Hex(buf.data(), buf.size());
}

std::string NewUuid4() {
  unsigned char b[16];
  FillRandom(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = Hex(b, sizeof b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

bool IsUuid4(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsLowerHex(s[i])) return false;
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

}  // namespace nexus

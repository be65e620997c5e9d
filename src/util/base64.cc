#include "util/base64.h"

#include <array>

namespace nexus {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of each byte in the alphabet, -1 for bytes outside it.
constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable();

bool IsAsciiSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

void AppendBase64(std::string_view data, std::string* out) {
  const size_t begin = out->size();
  out->resize(begin + (data.size() + 2) / 3 * 4);
  // Written through a pointer into space sized once: appending a character at a time
  // checked the capacity for every output byte, and base64 is most of a `read` answer.
  char* dst = out->data() + begin;
  const auto byte = [&data](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(data[i]));
  };
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    *dst++ = kAlphabet[(n >> 18) & 63];
    *dst++ = kAlphabet[(n >> 12) & 63];
    *dst++ = kAlphabet[(n >> 6) & 63];
    *dst++ = kAlphabet[n & 63];
  }
  const size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t n = byte(i) << 16;
    if (rest == 2) n |= byte(i + 1) << 8;
    *dst++ = kAlphabet[(n >> 18) & 63];
    *dst++ = kAlphabet[(n >> 12) & 63];
    *dst++ = rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    *dst++ = '=';
  }
}

std::string Base64Encode(std::string_view data) {
  std::string out;
  AppendBase64(data, &out);
  return out;
}

StatusOr<std::string> Base64Decode(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (!IsAsciiSpace(c)) compact += c;
  }
  if (compact.size() % 4 != 0)
    return InvalidArgument("Invalid base64: length is not a multiple of 4");
  std::string out;
  out.reserve(compact.size() / 4 * 3);
  for (size_t i = 0; i < compact.size(); i += 4) {
    const bool last = i + 4 == compact.size();
    const int pad = (compact[i + 3] == '=') + (compact[i + 2] == '=' && compact[i + 3] == '=');
    if (pad > 0 && !last) return InvalidArgument("Invalid base64: padding before the end");
    uint32_t n = 0;
    for (int k = 0; k < 4 - pad; ++k) {
      const int8_t v = kDecode[static_cast<unsigned char>(compact[i + k])];
      if (v < 0) return InvalidArgument("Invalid base64: unexpected character");
      n |= static_cast<uint32_t>(v) << (18 - 6 * k);
    }
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

// The URL-safe forms differ from the standard one only in two letters and the padding.
std::string Base64UrlEncode(std::string_view data) {
  std::string out = Base64Encode(data);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

StatusOr<std::string> Base64UrlDecode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '+' || c == '/') return InvalidArgument("Invalid base64url: unexpected character");
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (standard.size() % 4 != 0) standard += '=';
  return Base64Decode(standard);
}

}  // namespace nexus

#include "util/base64.h"

#include <array>
#include <cstdint>

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

// Base64Decode into `out`, a std::string or a byte vector. Whitespace is skipped as it is
// met rather than by first copying the text without it: the text can be a whole file.
template <typename Bytes>
Status DecodeInto(std::string_view text, Bytes* out) {
  size_t length = 0;  // without whitespace
  for (const char c : text) length += IsAsciiSpace(c) ? 0 : 1;
  if (length % 4 != 0) return InvalidArgument("Invalid base64: length is not a multiple of 4");
  out->clear();
  out->reserve(length / 4 * 3);
  std::array<char, 4> quad;
  size_t taken = 0;
  for (const char c : text) {
    if (IsAsciiSpace(c)) continue;
    quad[taken++ % 4] = c;
    if (taken % 4 != 0) continue;
    const bool last = taken == length;
    const int pad = (quad[3] == '=') + (quad[2] == '=' && quad[3] == '=');
    if (pad > 0 && !last) return InvalidArgument("Invalid base64: padding before the end");
    uint32_t n = 0;
    for (int k = 0; k < 4 - pad; ++k) {
      const int8_t v = kDecode[static_cast<unsigned char>(quad[k])];
      if (v < 0) return InvalidArgument("Invalid base64: unexpected character");
      n |= static_cast<uint32_t>(v) << (18 - 6 * k);
    }
    out->push_back(static_cast<typename Bytes::value_type>((n >> 16) & 0xff));
    if (pad < 2) out->push_back(static_cast<typename Bytes::value_type>((n >> 8) & 0xff));
    if (pad < 1) out->push_back(static_cast<typename Bytes::value_type>(n & 0xff));
  }
  return Status::OK();
}

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
  std::string out;
  RETURN_IF_ERROR(DecodeInto(text, &out));
  return out;
}

StatusOr<std::vector<uint8_t>> Base64DecodeBytes(std::string_view text) {
  std::vector<uint8_t> out;
  RETURN_IF_ERROR(DecodeInto(text, &out));
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

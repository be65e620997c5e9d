// EncodeWire: serialises a Json value straight into the response text.
//
// nlohmann's dump() escapes strings one character at a time through a UTF-8 decoder, and
// bytes had to be copied into a second tree of base64 wrappers before it ran; together
// they were a third of the cost of a `read` and most of a `list` (callgrind). This writer
// copies runs of characters that need no escape at once and writes base64 in place. Its
// output is byte for byte what dump(-1, ' ', false, error_handler_t::replace) gives
// (wire_json_test checks this on random values); the rare cases it does not handle itself
// (invalid UTF-8, floating point) it hands to dump().
#include <array>
#include <charconv>
#include <string>
#include <string_view>

#include "rpc/wire_json.h"
#include "util/base64.h"
#include "util/clock.h"

namespace nexus::rpc {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF) that starts at `s[i]`, a non-ASCII byte; 0 if none.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto at = [&s](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = at(i);
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range allowed for the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size() || at(i + 1) < low || at(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (!IsContinuation(at(i + k))) return 0;
  }
  return length;
}

// The escape for an ASCII byte, or an empty view when it is written as it is.
std::string_view ShortEscape(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\f':
      return "\\f";
    case '\r':
      return "\\r";
    default:
      return {};
  }
}

// What the string writer must do with each byte: nothing, escape it, or check UTF-8.
enum class ByteClass : unsigned char { kPlain, kEscape, kNonAscii };

constexpr std::array<ByteClass, 256> MakeByteClasses() {
  std::array<ByteClass, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    classes[c] = c >= 0x80                           ? ByteClass::kNonAscii
                 : c < 0x20 || c == '"' || c == '\\' ? ByteClass::kEscape
                                                     : ByteClass::kPlain;
  }
  return classes;
}
constexpr std::array<ByteClass, 256> kByteClass = MakeByteClasses();

void AppendEscape(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string_view escape = ShortEscape(c);
  if (!escape.empty()) {
    out->append(escape);
    return;
  }
  const char unicode[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
  out->append(unicode, sizeof unicode);
}

// Appends `s` as a JSON string literal; false, with `out` as it was, if `s` is not UTF-8.
// Plain runs are found with one table load per byte and copied at once.
bool AppendUtf8String(std::string_view s, std::string* out) {
  const size_t rollback = out->size();
  out->push_back('"');
  size_t run = 0;  // start of the characters not yet copied
  size_t i = 0;
  const auto class_at = [&s](size_t k) { return kByteClass[static_cast<unsigned char>(s[k])]; };
  for (;;) {
    while (i < s.size() && class_at(i) == ByteClass::kPlain) ++i;
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (class_at(i) == ByteClass::kEscape) {
      out->append(s.substr(run, i - run));
      AppendEscape(c, out);
      run = ++i;
      continue;
    }
    const size_t length = Utf8SequenceLength(s, i);
    if (length == 0) {
      out->resize(rollback);
      return false;
    }
    i += length;
  }
  out->append(s.substr(run));
  out->push_back('"');
  return true;
}

template <typename Integer>
void AppendInteger(Integer value, std::string* out) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out->append(digits, result.ptr);
}

void AppendValue(const Json& value, std::string* out);

void AppendObject(const Json& value, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [key, item] : value.get_ref<const Json::object_t&>()) {
    if (!first) out->push_back(',');
    first = false;
    AppendWireString(key, out);
    out->push_back(':');
    AppendValue(item, out);
  }
  out->push_back('}');
}

void AppendArray(const Json& value, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (const Json& item : value.get_ref<const Json::array_t&>()) {
    if (!first) out->push_back(',');
    first = false;
    AppendValue(item, out);
  }
  out->push_back(']');
}

// Binary values go out as the reference's wrapper, keys in the order dump() sorts them.
void AppendBytes(const Json::binary_t& bytes, std::string* out) {
  out->append(R"({"__type__":"bytes","data":")");
  AppendBase64(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), out);
  out->append(R"("})");
}

void AppendValue(const Json& value, std::string* out) {
  switch (value.type()) {
    case Json::value_t::null:
      out->append("null");
      return;
    case Json::value_t::boolean:
      out->append(value.get<bool>() ? "true" : "false");
      return;
    case Json::value_t::number_integer:
      AppendInteger(value.get<int64_t>(), out);
      return;
    case Json::value_t::number_unsigned:
      AppendInteger(value.get<uint64_t>(), out);
      return;
    case Json::value_t::string:
      AppendWireString(value.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::object:
      AppendObject(value, out);
      return;
    case Json::value_t::array:
      AppendArray(value, out);
      return;
    case Json::value_t::binary:
      AppendBytes(value.get_binary(), out);
      return;
    case Json::value_t::number_float:
    case Json::value_t::discarded:
      out->append(value.dump(-1, ' ', false, Json::error_handler_t::replace));
      return;
  }
}

}  // namespace

void AppendWireString(std::string_view s, std::string* out) {
  if (AppendUtf8String(s, out)) return;
  out->append(Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace));
}

void AppendWireDateTime(int64_t micros, std::string* out) {
  out->append(R"({"__type__":"datetime","data":")");
  out->append(FormatIsoMicros(micros));  // digits and punctuation only: nothing to escape
  out->append(R"("})");
}

std::string EncodeWire(const Json& value) {
  std::string out;
  out.reserve(1024);  // most answers fit; larger ones grow geometrically from here
  AppendValue(value, &out);
  return out;
}

}  // namespace nexus::rpc

// JSON text to and from Value, written for the client alone: it decodes the wire's wrappers
// while parsing (no second pass over a tree), and keeps a JSON library out of every tool
// built on the client.
#include <charconv>
#include <cmath>

#include "client/value.h"
#include "util/base64.h"
#include "util/utf8.h"

namespace nexus::client {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  StatusOr<Value> ParseDocument() {
    ASSIGN_OR_RETURN(Value v, ParseValue(0));
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the JSON value");
    return v;
  }

 private:
  Status Error(std::string_view what) const {
    return InvalidArgument("invalid JSON at byte " + std::to_string(pos_) + ": " +
                           std::string(what));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool ConsumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  StatusOr<Value> ParseValue(int depth) {
    SkipSpace();
    if (pos_ >= text_.size()) return Error("unexpected end");
    const char c = text_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= kMaxDepth)
        return Error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
      return c == '{' ? ParseObject(depth + 1) : ParseArray(depth + 1);
    }
    if (c == '"') {
      ASSIGN_OR_RETURN(std::string s, ParseString());
      return Value(std::move(s));
    }
    if (ConsumeWord("true")) return Value(true);
    if (ConsumeWord("false")) return Value(false);
    if (ConsumeWord("null")) return Value();
    return ParseNumber();
  }

  StatusOr<Value> ParseArray(int depth) {
    ++pos_;
    Value::Array items;
    if (Consume(']')) return Value(std::move(items));
    do {
      ASSIGN_OR_RETURN(Value item, ParseValue(depth));
      items.push_back(std::move(item));
    } while (Consume(','));
    if (!Consume(']')) return Error("expected ',' or ']'");
    return Value(std::move(items));
  }

  StatusOr<Value> ParseObject(int depth) {
    ++pos_;
    Value::Object members;
    if (Consume('}')) return Value(std::move(members));
    do {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Error("expected a member name");
      ASSIGN_OR_RETURN(std::string key, ParseString());
      if (!Consume(':')) return Error("expected ':'");
      ASSIGN_OR_RETURN(Value value, ParseValue(depth));
      members.emplace_back(std::move(key), std::move(value));
    } while (Consume(','));
    if (!Consume('}')) return Error("expected ',' or '}'");
    return Unwrap(Value(std::move(members)));
  }

  // {"__type__": "bytes" | "datetime", "data": "..."} becomes its kind; other objects,
  // timedelta wrappers included, stay as they are.
  StatusOr<Value> Unwrap(Value object) const {
    const Value& type = object["__type__"];
    const Value& data = object["data"];
    if (!type.is_string() || !data.is_string()) return object;
    if (type.AsString() == "bytes") {
      StatusOr<std::string> bytes = Base64Decode(data.AsString());
      if (!bytes.ok()) return Error("bytes wrapper: " + bytes.status().message());
      return Value::Bytes(std::move(bytes).value());
    }
    if (type.AsString() == "datetime") return Value::DateTime(data.AsString());
    return object;
  }

  // Copies runs of plain characters whole: an answer is mostly long strings (file contents
  // in base64), and a byte at a time was most of a call's cost to a busy client.
  StatusOr<std::string> ParseString() {
    ++pos_;
    std::string out;
    size_t run = pos_;  // the first byte not yet copied to `out`
    while (pos_ < text_.size()) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"' || c == '\\') {
        out.append(text_.substr(run, pos_ - run));
        if (c == '"') {
          ++pos_;
          return out;
        }
        RETURN_IF_ERROR(ParseEscape(&out));
        run = pos_;
      } else if (c < 0x20) {
        return Error("control character in a string");
      } else if (c < 0x80) {
        ++pos_;
      } else {
        const size_t len = Utf8SequenceLength(text_, pos_);
        if (len == 0) return Error("invalid UTF-8 in a string");
        pos_ += len;
      }
    }
    return Error("unterminated string");
  }

  Status ParseEscape(std::string* out) {
    if (pos_ + 1 >= text_.size()) return Error("unterminated escape");
    const char e = text_[pos_ + 1];
    pos_ += 2;
    static constexpr std::string_view kFrom = "\"\\/bfnrt";
    static constexpr std::string_view kTo = "\"\\/\b\f\n\r\t";
    if (const size_t k = kFrom.find(e); k != std::string_view::npos) {
      out->push_back(kTo[k]);
      return Status::OK();
    }
    if (e != 'u') return Error("unknown escape");
    ASSIGN_OR_RETURN(uint32_t cp, ParseHex4());
    if (cp >= 0xdc00 && cp <= 0xdfff) return Error("lone low surrogate");
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (!ConsumeWord("\\u")) return Error("high surrogate without its pair");
      ASSIGN_OR_RETURN(uint32_t low, ParseHex4());
      if (low < 0xdc00 || low > 0xdfff) return Error("high surrogate without its pair");
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    AppendUtf8(cp, out);
    return Status::OK();
  }

  StatusOr<uint32_t> ParseHex4() {
    uint32_t cp = 0;
    const std::string_view hex = text_.substr(pos_, 4);
    const auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), cp, 16);
    if (hex.size() != 4 || ec != std::errc() || end != hex.data() + 4)
      return Error("\\u needs four hex digits");
    pos_ += 4;
    return cp;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  // JSON's grammar exactly (no leading '+', zeros or dots); integers that fit stay exact.
  StatusOr<Value> ParseNumber() {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    const size_t int_start = pos_;
    const size_t int_digits = digits();
    if (int_digits == 0 || (int_digits > 1 && text_[int_start] == '0'))
      return Error("invalid value");
    bool integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (digits() == 0) return Error("digits expected after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Error("digits expected in the exponent");
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (integral) {
      int64_t i = 0;
      if (std::from_chars(first, last, i).ec == std::errc()) return Value(i);
    }
    double d = 0;
    if (std::from_chars(first, last, d).ec != std::errc()) return Error("number out of range");
    return Value(d);
  }

  const std::string_view text_;
  size_t pos_ = 0;
};

class Writer {
 public:
  explicit Writer(bool pretty) : pretty_(pretty) {}

  void Write(const Value& v, int depth) {
    switch (v.kind()) {
      case Value::Kind::kNull:
        out_ += "null";
        break;
      case Value::Kind::kBool:
        out_ += v.AsBool() ? "true" : "false";
        break;
      case Value::Kind::kInt:
        out_ += std::to_string(v.AsInt());
        break;
      case Value::Kind::kDouble:
        WriteDouble(v.AsDouble());
        break;
      case Value::Kind::kString:
        WriteString(v.AsString());
        break;
      case Value::Kind::kBytes:
        WriteWrapper("bytes", Base64Encode(v.AsString()), depth);
        break;
      case Value::Kind::kDateTime:
        WriteWrapper("datetime", v.AsString(), depth);
        break;
      case Value::Kind::kArray:
        WriteArray(v.AsArray(), depth);
        break;
      case Value::Kind::kObject:
        WriteObject(v.AsObject(), depth);
        break;
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  void Break(int depth) {
    if (!pretty_) return;
    out_ += '\n';
    out_.append(static_cast<size_t>(depth) * 2, ' ');
  }

  void WriteArray(const Value::Array& items, int depth) {
    out_ += '[';
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out_ += ',';
      Break(depth + 1);
      Write(items[i], depth + 1);
    }
    if (!items.empty()) Break(depth);
    out_ += ']';
  }

  void WriteObject(const Value::Object& members, int depth) {
    out_ += '{';
    for (size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out_ += ',';
      Break(depth + 1);
      WriteString(members[i].first);
      out_ += pretty_ ? ": " : ":";
      Write(members[i].second, depth + 1);
    }
    if (!members.empty()) Break(depth);
    out_ += '}';
  }

  void WriteWrapper(std::string_view type, const std::string& data, int depth) {
    WriteObject({{"__type__", Value(type)}, {"data", Value(data)}}, depth);
  }

  // Shortest text that reads back as the same double; JSON has no NaN or infinity.
  void WriteDouble(double d) {
    if (!std::isfinite(d)) {
      out_ += "null";
      return;
    }
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    const std::string_view text(buf, static_cast<size_t>(end - buf));
    out_ += text;
    if (text.find_first_of(".e") == std::string_view::npos) out_ += ".0";
  }

  void WriteString(std::string_view s) {
    out_ += '"';
    for (size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += static_cast<char>(c);
      } else if (c < 0x20) {
        WriteControl(c);
      } else if (const size_t len = Utf8SequenceLength(s, i); len > 1) {
        out_.append(s.substr(i, len));
        i += len;
        continue;
      } else if (len == 0) {
        out_ += "\\ufffd";
      } else {
        out_ += static_cast<char>(c);
      }
      ++i;
    }
    out_ += '"';
  }

  void WriteControl(unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    switch (c) {
      case '\n':
        out_ += "\\n";
        return;
      case '\r':
        out_ += "\\r";
        return;
      case '\t':
        out_ += "\\t";
        return;
      default:
        out_ += "\\u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 0xf];
    }
  }

  const bool pretty_;
  std::string out_;
};

std::string Serialize(const Value& value, bool pretty) {
  Writer writer(pretty);
  writer.Write(value, 0);
  return writer.Take();
}

}  // namespace

std::string ToJson(const Value& value) { return Serialize(value, false); }

std::string ToPrettyJson(const Value& value) { return Serialize(value, true); }

StatusOr<Value> ParseJson(std::string_view text) { return Parser(text).ParseDocument(); }

}  // namespace nexus::client

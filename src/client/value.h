// A JSON value as the wire carries it (api.md §3.5): the JSON kinds plus bytes and datetimes,
// which travel as {"__type__": "bytes" | "datetime", "data": ...} wrappers. The client's own
// type so that its public headers stay free of a JSON library: what a caller builds is
// encoded, and what a server answers is decoded, in value_json.cc alone.
#ifndef NEXUS_CLIENT_VALUE_H_
#define NEXUS_CLIENT_VALUE_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "util/status.h"

namespace nexus::client {

class Value {
 public:
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kBytes, kDateTime, kArray, kObject };
  using Array = std::vector<Value>;
  // Members in the order they were written: answers print as the server wrote them.
  using Member = std::pair<std::string, Value>;
  using Object = std::vector<Member>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : kind_(Kind::kBool), data_(b) {}
  Value(int i) : kind_(Kind::kInt), data_(int64_t{i}) {}
  Value(int64_t i) : kind_(Kind::kInt), data_(i) {}
  Value(uint64_t i) : kind_(Kind::kInt), data_(static_cast<int64_t>(i)) {}
  Value(double d) : kind_(Kind::kDouble), data_(d) {}
  Value(std::string s) : kind_(Kind::kString), data_(std::move(s)) {}
  Value(std::string_view s) : Value(std::string(s)) {}
  Value(const char* s) : Value(std::string(s)) {}
  Value(Array a) : kind_(Kind::kArray), data_(std::move(a)) {}
  Value(Object o) : kind_(Kind::kObject), data_(std::move(o)) {}
  // {{"path", "/a"}, {"recursive", true}}: an object.
  Value(std::initializer_list<Member> members) : Value(Object(members)) {}

  static Value Bytes(std::string data);
  // An ISO 8601 text such as "2025-12-18T01:02:03+00:00", kept as the server wrote it.
  static Value DateTime(std::string iso);
  static Value EmptyObject() { return Value(Object{}); }
  static Value EmptyArray() { return Value(Array{}); }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kInt || kind_ == Kind::kDouble; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_bytes() const { return kind_ == Kind::kBytes; }
  bool is_datetime() const { return kind_ == Kind::kDateTime; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  // Lenient readers for formatting answers: a value of another kind reads as false, 0 or
  // empty. AsString serves strings, bytes and datetimes alike.
  bool AsBool() const;
  int64_t AsInt() const;  // a double is truncated; one beyond int64's range reads as 0
  double AsDouble() const;
  const std::string& AsString() const;
  const Array& AsArray() const;
  const Object& AsObject() const;

  // The member `key` of an object; nullptr when absent or when this is not an object.
  const Value* Find(std::string_view key) const;
  // The member `key`, or a null value.
  const Value& operator[](std::string_view key) const;
  // Moves member `key` out, leaving null in its place: the result of a large answer is taken
  // from its envelope, not copied. A null value when absent.
  Value Take(std::string_view key);
  // Sets (replacing) member `key`; a null value becomes an empty object first.
  Value& Set(std::string key, Value value);
  // Appends to an array; a null value becomes an empty array first.
  void Append(Value value);
  // Elements of an array or members of an object; 0 otherwise.
  size_t size() const;

  friend bool operator==(const Value& a, const Value& b);

 private:
  Kind kind_ = Kind::kNull;
  std::variant<std::monostate, bool, int64_t, double, std::string, Array, Object> data_;
};

// Compact JSON with the wire's wrappers for bytes and datetimes; strings that are not valid
// UTF-8 are escaped byte for byte as U+FFFD (JSON cannot carry them).
std::string ToJson(const Value& value);
// Indented by two spaces, for people reading `--json` output.
std::string ToPrettyJson(const Value& value);

// Parses JSON text, turning bytes and datetime wrappers into their kinds. kInvalidArgument
// for bad JSON, bad base64 in a bytes wrapper, or nesting deeper than kMaxDepth (an answer
// cannot exhaust the caller's stack).
inline constexpr int kMaxDepth = 128;
StatusOr<Value> ParseJson(std::string_view text);

}  // namespace nexus::client

#endif  // NEXUS_CLIENT_VALUE_H_

// Values bound to and read from SQL statements, the same on every engine.
#ifndef NEXUS_STORAGE_VALUE_H_
#define NEXUS_STORAGE_VALUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nexus::storage {

// Binary content; kept apart from text so engines bind it as BLOB / bytea.
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};

// NULL, integer, real, text or bytes.
using Value = std::variant<std::monostate, int64_t, double, std::string, Bytes>;
using Params = std::vector<Value>;

inline Value Null() { return std::monostate{}; }

// The value, or NULL when absent.
template <typename T>
Value OptionalValue(const std::optional<T>& v) {
  return v ? Value(*v) : Null();
}

// One result row. Accessors convert leniently (an integer column read as text is its
// decimal form) because the two engines report some types differently.
class Row {
 public:
  explicit Row(std::vector<Value> cols) : cols_(std::move(cols)) {}

  size_t size() const { return cols_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(cols_.at(i)); }
  int64_t Int(size_t i) const;
  // The integer, or none for NULL.
  std::optional<int64_t> OptInt(size_t i) const {
    return IsNull(i) ? std::nullopt : std::optional<int64_t>(Int(i));
  }
  double Real(size_t i) const;
  // The number, or none for NULL.
  std::optional<double> OptReal(size_t i) const {
    return IsNull(i) ? std::nullopt : std::optional<double>(Real(i));
  }
  // Text or bytes content; empty for NULL.
  std::string Text(size_t i) const;
  // The text, or none for NULL.
  std::optional<std::string> OptText(size_t i) const {
    return IsNull(i) ? std::nullopt : std::optional<std::string>(Text(i));
  }
  const Value& at(size_t i) const { return cols_.at(i); }

 private:
  std::vector<Value> cols_;
};

using Rows = std::vector<Row>;

}  // namespace nexus::storage

#endif  // NEXUS_STORAGE_VALUE_H_

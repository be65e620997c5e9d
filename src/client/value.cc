#include "client/value.h"

#include <utility>

namespace nexus::client {
namespace {

const std::string kEmptyString;
const Value::Array kEmptyArray;
const Value::Object kEmptyObject;
const Value kNull;

}  // namespace

Value Value::Bytes(std::string data) {
  Value v(std::move(data));
  v.kind_ = Kind::kBytes;
  return v;
}

Value Value::DateTime(std::string iso) {
  Value v(std::move(iso));
  v.kind_ = Kind::kDateTime;
  return v;
}

bool Value::AsBool() const { return kind_ == Kind::kBool && std::get<bool>(data_); }

int64_t Value::AsInt() const {
  if (kind_ == Kind::kInt) return std::get<int64_t>(data_);
  if (kind_ != Kind::kDouble) return 0;
  // Converting a double outside int64's range is undefined; a hostile 1e300 reads as 0.
  const double d = std::get<double>(data_);
  return d >= -9.2e18 && d <= 9.2e18 ? static_cast<int64_t>(d) : 0;
}

double Value::AsDouble() const {
  if (kind_ == Kind::kDouble) return std::get<double>(data_);
  if (kind_ == Kind::kInt) return static_cast<double>(std::get<int64_t>(data_));
  return 0;
}

const std::string& Value::AsString() const {
  const auto* s = std::get_if<std::string>(&data_);
  return s ? *s : kEmptyString;
}

const Value::Array& Value::AsArray() const {
  const auto* a = std::get_if<Array>(&data_);
  return a ? *a : kEmptyArray;
}

const Value::Object& Value::AsObject() const {
  const auto* o = std::get_if<Object>(&data_);
  return o ? *o : kEmptyObject;
}

const Value* Value::Find(std::string_view key) const {
  for (const Member& m : AsObject()) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

const Value& Value::operator[](std::string_view key) const {
  const Value* v = Find(key);
  return v ? *v : kNull;
}

Value Value::Take(std::string_view key) {
  if (auto* members = std::get_if<Object>(&data_)) {
    for (Member& m : *members) {
      if (m.first == key) return std::exchange(m.second, Value());
    }
  }
  return Value();
}

Value& Value::Set(std::string key, Value value) {
  if (kind_ == Kind::kNull) *this = EmptyObject();
  auto& members = std::get<Object>(data_);
  for (Member& m : members) {
    if (m.first == key) {
      m.second = std::move(value);
      return *this;
    }
  }
  members.emplace_back(std::move(key), std::move(value));
  return *this;
}

void Value::Append(Value value) {
  if (kind_ == Kind::kNull) *this = EmptyArray();
  std::get<Array>(data_).push_back(std::move(value));
}

size_t Value::size() const {
  if (kind_ == Kind::kArray) return std::get<Array>(data_).size();
  if (kind_ == Kind::kObject) return std::get<Object>(data_).size();
  return 0;
}

bool operator==(const Value& a, const Value& b) { return a.kind_ == b.kind_ && a.data_ == b.data_; }

}  // namespace nexus::client

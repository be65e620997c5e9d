#include "rpc/params.h"

#include <cstdint>

namespace nexus::rpc {
namespace {

std::string_view TypeName(ParamType type) {
  switch (type) {
    case ParamType::kString:
      return "a string";
    case ParamType::kBool:
      return "a boolean";
    case ParamType::kInt:
      return "an integer";
    case ParamType::kNumber:
      return "a number";
    case ParamType::kBytes:
      return "bytes or a string";
    case ParamType::kStringList:
      return "a list of strings";
    case ParamType::kArray:
      return "a list";
    case ParamType::kObject:
      return "an object";
    case ParamType::kTimedelta:
      return "a timedelta ({\"__type__\": \"timedelta\", \"seconds\": N})";
    case ParamType::kAny:
      return "any value";
  }
  return "?";
}

bool Matches(const Json& v, ParamType type) {
  switch (type) {
    case ParamType::kString:
      return v.is_string();
    case ParamType::kBool:
      return v.is_boolean();
    case ParamType::kInt:
      return v.is_number_integer() &&
             !(v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX});
    case ParamType::kNumber:
      return v.is_number();
    case ParamType::kBytes:
      return v.is_binary() || v.is_string();
    case ParamType::kArray:
      return v.is_array();
    case ParamType::kObject:
      return v.is_object();
    case ParamType::kTimedelta:
      return v.is_object() && v.contains("__type__") && v["__type__"] == "timedelta" &&
             v.contains("seconds") && v["seconds"].is_number();
    case ParamType::kAny:
      return true;
    case ParamType::kStringList:
      if (!v.is_array()) return false;
      for (const Json& item : v) {
        if (!item.is_string()) return false;
      }
      return true;
  }
  return false;
}

const ParamSpec* FindSpec(const std::vector<ParamSpec>& specs, const std::string& name) {
  for (const ParamSpec& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace

ParamSpec Required(std::string name, ParamType type) {
  return ParamSpec{std::move(name), type, true, nullptr, false};
}

ParamSpec Optional(std::string name, ParamType type, Json default_value) {
  return ParamSpec{std::move(name), type, false, std::move(default_value), true};
}

StatusOr<Params> Params::Bind(const std::string& method, const std::vector<ParamSpec>& specs,
                              Json raw) {
  if (raw.is_null()) raw = Json::object();
  if (!raw.is_object()) return InvalidArgument("params of " + method + " must be an object");
  const std::string prefix = "Invalid parameters for " + method + ": ";
  for (const auto& [key, value] : raw.items()) {
    const ParamSpec* spec = FindSpec(specs, key);
    if (spec == nullptr)
      return InvalidArgument(prefix + "unexpected keyword argument '" + key + "'");
    if (value.is_null() && spec->nullable) continue;
    if (!Matches(value, spec->type)) {
      return InvalidArgument(prefix + "'" + key + "' must be " + std::string(TypeName(spec->type)));
    }
  }
  for (const ParamSpec& spec : specs) {
    const auto it = raw.find(spec.name);
    if (it != raw.end()) continue;
    if (spec.required) {
      return InvalidArgument(prefix + "missing 1 required positional argument: '" + spec.name +
                             "'");
    }
    raw[spec.name] = spec.default_value;
  }
  return Params(std::move(raw));
}

bool Params::Has(const std::string& name) const {
  const auto it = values_.find(name);
  return it != values_.end() && !it->is_null();
}

const Json& Params::Raw(const std::string& name) const { return values_.at(name); }

std::string Params::Str(const std::string& name) const {
  return Has(name) ? Raw(name).get<std::string>() : "";
}

std::optional<std::string> Params::OptStr(const std::string& name) const {
  if (!Has(name)) return std::nullopt;
  return Raw(name).get<std::string>();
}

bool Params::Bool(const std::string& name) const { return Has(name) && Raw(name).get<bool>(); }

int64_t Params::Int(const std::string& name) const {
  return Has(name) ? Raw(name).get<int64_t>() : 0;
}

std::optional<int64_t> Params::OptInt(const std::string& name) const {
  if (!Has(name)) return std::nullopt;
  return Raw(name).get<int64_t>();
}

double Params::Number(const std::string& name) const {
  return Has(name) ? Raw(name).get<double>() : 0;
}

std::string Params::Bytes(const std::string& name) const {
  if (!Has(name)) return {};
  const Json& v = Raw(name);
  if (v.is_string()) return v.get<std::string>();
  const auto& bin = v.get_binary();
  return std::string(bin.begin(), bin.end());
}

std::vector<std::string> Params::StrList(const std::string& name) const {
  std::vector<std::string> out;
  if (!Has(name)) return out;
  for (const Json& item : Raw(name)) out.push_back(item.get<std::string>());
  return out;
}

std::optional<double> Params::Seconds(const std::string& name) const {
  if (!Has(name)) return std::nullopt;
  return Raw(name).at("seconds").get<double>();
}

}  // namespace nexus::rpc

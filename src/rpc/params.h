// Parameter schemas of RPC methods and the validated parameters a handler receives.
//
// Like the reference, parameters are named only; an unknown or missing key is an error.
// Unlike the reference, types are checked too, so a handler never sees a string where it
// expects a number.
#ifndef NEXUS_RPC_PARAMS_H_
#define NEXUS_RPC_PARAMS_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "rpc/wire_json.h"

namespace nexus::rpc {

enum class ParamType {
  kString,
  kBool,
  kInt,
  kNumber,
  kBytes,       // a bytes wrapper or a string (taken as UTF-8)
  kStringList,  // array of strings
  kArray,
  kObject,
  kTimedelta,  // a timedelta wrapper {"__type__":"timedelta","seconds":N}; not a bare number
  kAny,
};

struct ParamSpec {
  std::string name;
  ParamType type;
  bool required = false;
  Json default_value = nullptr;  // for optional parameters; null means "absent"
  bool nullable = true;          // whether an explicit null is accepted
};

// Shorthands for schema tables.
ParamSpec Required(std::string name, ParamType type);
ParamSpec Optional(std::string name, ParamType type, Json default_value = nullptr);

class Params {
 public:
  // Checks `raw` (an object) against `specs`: unknown keys, missing required keys and wrong
  // types are kInvalidArgument with a message naming the key; absent optional keys take
  // their defaults.
  static StatusOr<Params> Bind(const std::string& method, const std::vector<ParamSpec>& specs,
                               Json raw);

  bool Has(const std::string& name) const;  // present and not null
  std::string Str(const std::string& name) const;
  std::optional<std::string> OptStr(const std::string& name) const;
  bool Bool(const std::string& name) const;
  int64_t Int(const std::string& name) const;
  std::optional<int64_t> OptInt(const std::string& name) const;
  double Number(const std::string& name) const;
  std::string Bytes(const std::string& name) const;  // kBytes parameters
  std::vector<std::string> StrList(const std::string& name) const;
  std::optional<double> Seconds(const std::string& name) const;  // kTimedelta parameters
  const Json& Raw(const std::string& name) const;

 private:
  explicit Params(Json values) : values_(std::move(values)) {}
  Json values_;
};

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_PARAMS_H_

#include "sandbox/provider.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "util/path.h"

namespace nexus::sandbox {

SandboxProcess::~SandboxProcess() = default;

StatusOr<std::unique_ptr<SandboxProcess>> Provider::Start(const SandboxSpec&, const StartRequest&) {
  return Status(Code::kValidation, "the " + name() + " sandbox provider cannot start programs");
}
namespace {

// Mount points the sandbox builds itself; a bind on or under one would hide or replace part
// of the sandbox's root file system.
constexpr std::array<std::string_view, 11> kReservedTrees = {
    "/usr", "/etc",   "/proc",  "/dev",    "/bin",     "/sbin",
    "/lib", "/lib32", "/lib64", "/libx32", "/run/code"};
// Mount points that may hold binds below them, but not be replaced.
constexpr std::array<std::string_view, 4> kReservedExact = {"/", "/home", "/home/sandbox", "/tmp"};

// True when `path` is absolute and already in normal form (no "..", "//" or trailing "/"),
// so that what we check is what bwrap mounts.
bool IsNormalAbsolute(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  StatusOr<std::string> normal = NormalizePath(path);
  return normal.ok() && *normal == path;
}

Status ValidateLimits(const Limits& l) {
  const std::array<std::pair<const char*, int64_t>, 7> values = {{
      {"memory_bytes", l.memory_bytes},
      {"cpu_seconds", l.cpu_seconds},
      {"max_processes", l.max_processes},
      {"max_file_bytes", l.max_file_bytes},
      {"tmpfs_bytes", l.tmpfs_bytes},
      {"wall_timeout_ms", l.wall_timeout_ms},
      {"max_output_bytes", l.max_output_bytes},
  }};
  for (const auto& [name, value] : values) {
    if (value <= 0) {
      return InvalidArgument(std::string("sandbox limit ") + name + " must be positive, got " +
                             std::to_string(value));
    }
  }
  return Status::OK();
}

Status ValidateBind(const std::string& host, const std::string& target) {
  if (!IsNormalAbsolute(host)) {
    return InvalidArgument("sandbox bind source must be a normalised absolute path: " + host);
  }
  if (!IsNormalAbsolute(target)) {
    return InvalidArgument("sandbox bind target must be a normalised absolute path: " + target);
  }
  for (std::string_view tree : kReservedTrees) {
    if (IsSameOrUnder(target, tree)) {
      return InvalidArgument("sandbox bind target " + target + " is inside reserved " +
                             std::string(tree));
    }
  }
  if (std::find(kReservedExact.begin(), kReservedExact.end(), target) != kReservedExact.end()) {
    return InvalidArgument("sandbox bind target " + target + " is reserved");
  }
  return Status::OK();
}

bool IsEnvName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

Provider::~Provider() = default;

Status ValidateStartRequest(const StartRequest& request) {
  if (request.argv.empty() || request.argv.front().empty())
    return InvalidArgument("nothing to start: argv is empty");
  for (const std::string& arg : request.argv) {
    if (arg.find('\0') != std::string::npos) return InvalidArgument("an argument holds a NUL byte");
  }
  for (const std::string& dir : request.read_only_dirs) RETURN_IF_ERROR(ValidateBind(dir, dir));
  return Status::OK();
}

Status ValidateSpec(const SandboxSpec& spec) {
  if (spec.id.empty()) return InvalidArgument("sandbox id is empty");
  if (spec.id.find('\0') != std::string::npos) return InvalidArgument("sandbox id contains NUL");
  RETURN_IF_ERROR(ValidateLimits(spec.limits));
  if (!spec.home_dir.empty() && (!IsNormalAbsolute(spec.home_dir) || spec.home_dir == "/")) {
    return InvalidArgument("sandbox home_dir must be a normalised absolute path other than /: " +
                           spec.home_dir);
  }
  for (const auto& [host, target] : spec.binds) RETURN_IF_ERROR(ValidateBind(host, target));
  return Status::OK();
}

Status ValidateRequest(const SandboxSpec& spec, const RunRequest& request) {
  for (const auto& [name, value] : request.env) {
    if (!IsEnvName(name)) return InvalidArgument("invalid environment variable name: " + name);
    if (value.find('\0') != std::string::npos) {
      return InvalidArgument("environment variable " + name + " contains NUL");
    }
  }
  // The code is written to a file inside the sandbox, under the file-size limit.
  if (static_cast<int64_t>(request.code.size()) > spec.limits.max_file_bytes) {
    return InvalidArgument("code is " + std::to_string(request.code.size()) +
                           " bytes, more than the sandbox's max_file_bytes");
  }
  return Status::OK();
}

int64_t EffectiveTimeoutMs(const Limits& limits, const RunRequest& request) {
  if (request.timeout_ms <= 0) return limits.wall_timeout_ms;
  return std::min(request.timeout_ms, limits.wall_timeout_ms);
}

}  // namespace nexus::sandbox

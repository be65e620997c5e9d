#include "util/status.h"

namespace nexus {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kInvalidPath:
      return "InvalidPath";
    case Code::kNotFound:
      return "NotFound";
    case Code::kAlreadyExists:
      return "AlreadyExists";
    case Code::kNotADirectory:
      return "NotADirectory";
    case Code::kIsADirectory:
      return "IsADirectory";
    case Code::kDirectoryNotEmpty:
      return "DirectoryNotEmpty";
    case Code::kConflict:
      return "Conflict";
    case Code::kInvalidPattern:
      return "InvalidPattern";
    case Code::kPermissionDenied:
      return "PermissionDenied";
    case Code::kValidation:
      return "Validation";
    case Code::kStorageFull:
      return "StorageFull";
    case Code::kIOError:
      return "IOError";
    case Code::kRetry:
      return "Retry";
    case Code::kInUse:
      return "InUse";
    case Code::kSchemaTooNew:
      return "SchemaTooNew";
    case Code::kInternal:
      return "Internal";
    case Code::kUnauthenticated:
      return "Unauthenticated";
    case Code::kUnavailable:
      return "Unavailable";
  }
  return "Unknown";
}

Status::Status(Code code, std::string message, std::vector<Detail> details) {
  if (code != Code::kOk) {
    state_ = std::make_shared<const State>(State{code, std::move(message), std::move(details)});
  }
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

const std::vector<Status::Detail>& Status::details() const {
  static const std::vector<Detail> kNone;
  return state_ ? state_->details : kNone;
}

std::string Status::detail(std::string_view key) const {
  for (const auto& [k, v] : details()) {
    if (k == key) return v;
  }
  return {};
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code())) + ": " + message();
}

}  // namespace nexus

#include "rpc/errors.h"

namespace nexus::rpc {
namespace {

// Messages that already carry the reference's prefix keep it; others get it.
std::string WithPrefix(const std::string& prefix, const std::string& message) {
  return message.starts_with(prefix) ? message : prefix + message;
}

}  // namespace

Json ErrorObject(int code, const std::string& message) {
  return Json{{"code", code}, {"message", message}};
}

Json ErrorObject(const Status& status) {
  const std::string& msg = status.message();
  switch (status.code()) {
    case Code::kNotFound:
      return ErrorObject(kFileNotFound, msg);
    case Code::kAlreadyExists:
      return ErrorObject(kFileExists, msg);
    case Code::kInvalidPath:
      return ErrorObject(kInvalidPathCode, msg);
    case Code::kPermissionDenied:
      return ErrorObject(kPermissionError, WithPrefix("Permission denied: ", msg));
    case Code::kConflict: {
      Json error = ErrorObject(kConflictCode, msg);
      error["data"] = Json{{"path", status.detail("path")},
                           {"expected_etag", status.detail("expected_etag")},
                           {"current_etag", status.detail("current_etag")}};
      return error;
    }
    case Code::kInvalidArgument:
    case Code::kInvalidPattern:
      return ErrorObject(kInvalidParams, WithPrefix("Invalid parameters: ", msg));
    case Code::kValidation:
    case Code::kIsADirectory:
    case Code::kNotADirectory:
    case Code::kDirectoryNotEmpty:
      return ErrorObject(kValidationError, msg);
    case Code::kStorageFull:
      return ErrorObject(kInternalError, WithPrefix("Storage full: ", msg));
    case Code::kIOError:
      return ErrorObject(kInternalError, WithPrefix("I/O error: ", msg));
    case Code::kUnavailable:
      return ErrorObject(kInternalError, WithPrefix("Service unavailable: ", msg));
    default:
      return ErrorObject(kInternalError, WithPrefix("Internal error: ", msg));
  }
}

}  // namespace nexus::rpc

// Status and StatusOr: explicit error returns for expected failures.
//
// Every operation that can fail for a reason a caller should handle (bad input, missing
// file, conflict, full disk) returns a Status with a Code that the RPC layer maps to a
// JSON-RPC error. Exceptions are reserved for programming errors.
#ifndef NEXUS_UTIL_STATUS_H_
#define NEXUS_UTIL_STATUS_H_

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace nexus {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // a parameter is malformed (not a path)
  kInvalidPath,        // path fails validation
  kNotFound,           // path, version or record does not exist
  kAlreadyExists,      // destination exists
  kNotADirectory,      // a path component is a file
  kIsADirectory,       // a file operation on a directory
  kDirectoryNotEmpty,  // rmdir without recursive on a non-empty directory
  kConflict,           // optimistic concurrency: etag mismatch
  kInvalidPattern,     // bad regular expression or glob
  kPermissionDenied,   // the caller may not do this
  kValidation,         // well-formed, but breaks a rule of the data model (unknown relation...)
  kStorageFull,        // disk or database full
  kIOError,            // the disk or the database failed
  kRetry,              // transient: serialization failure, deadlock (engines retry these)
  kInUse,              // the data directory is locked by another process
  kSchemaTooNew,       // the database was written by a newer binary
  kInternal,           // a bug or an unexpected state
  kUnauthenticated,    // a client: the server refused the credentials (HTTP 401)
  // Nothing was done, and the same request may succeed later: a client could not reach its
  // server, or a server its database (a failover, a restart). HTTP 503.
  kUnavailable,
};

std::string_view CodeName(Code code);

// [[nodiscard]]: a Status that nobody looks at is an error that vanishes. Where dropping one
// is right, the caller casts it to void and says why.
class [[nodiscard]] Status {
 public:
  // A detail is a named value that travels with the error (for example the expected and
  // current etag of a conflict) so the RPC layer can put it in the error's `data`.
  using Detail = std::pair<std::string, std::string>;

  Status() = default;
  Status(Code code, std::string message, std::vector<Detail> details = {});

  static Status OK() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  const std::string& message() const;
  const std::vector<Detail>& details() const;
  // The value of a detail, or empty when absent.
  std::string detail(std::string_view key) const;

  // "NotFound: File not found: /a" (for logs and tests).
  std::string ToString() const;

 private:
  struct State {
    Code code;
    std::string message;
    std::vector<Detail> details;
  };
  std::shared_ptr<const State> state_;  // null means OK; shared so copies are cheap
};

inline Status InvalidArgument(std::string msg) {
  return Status(Code::kInvalidArgument, std::move(msg));
}
inline Status InvalidPath(std::string msg) { return Status(Code::kInvalidPath, std::move(msg)); }
inline Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
inline Status AlreadyExists(std::string msg) {
  return Status(Code::kAlreadyExists, std::move(msg));
}
inline Status PermissionDenied(std::string msg) {
  return Status(Code::kPermissionDenied, std::move(msg));
}
inline Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
inline Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace nexus

#define NEXUS_CONCAT_INNER(a, b) a##b
#define NEXUS_CONCAT(a, b) NEXUS_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::nexus::Status _nexus_status = (expr);        \
    if (!_nexus_status.ok()) return _nexus_status; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, Foo());` binds the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(NEXUS_CONCAT(_nexus_or_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#endif  // NEXUS_UTIL_STATUS_H_

#include "rebac/names.h"

#include <algorithm>
#include <string>

#include "util/path.h"

namespace nexus::rebac {
namespace {

constexpr size_t kMaxTenantBytes = 255;
constexpr size_t kMaxPrintableBytes = 200;

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool HasControlChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool IsPrintable(std::string_view s) { return IsValidUtf8(s) && !HasControlChars(s); }

Status CheckId(std::string_view what, std::string_view id) {
  const std::string w(what);
  if (id.empty()) return InvalidArgument(w + " id is empty");
  if (id.size() > kMaxPathBytes) {
    return InvalidArgument(w + " id is too long (at most " + std::to_string(kMaxPathBytes) +
                           " bytes)");
  }
  if (!IsPrintable(id)) return InvalidArgument(w + " id contains control characters or bad UTF-8");
  return Status::OK();
}

// Parents of files are computed from their ids, so an id must be the one path form the
// path tree uses: "/a//b/" would otherwise name a file whose parent nobody owns.
Status CheckFileId(std::string_view what, std::string_view id) {
  StatusOr<std::string> normal = NormalizeFilePath(id);
  if (!normal.ok() || *normal != id) {
    return InvalidArgument(std::string(what) + " id of type file must be a normalised absolute " +
                           "path, got " + Printable(id));
  }
  return Status::OK();
}

Status CheckTypedId(std::string_view what, const std::string& type, std::string_view id) {
  RETURN_IF_ERROR(CheckName(std::string(what) + " type", type));
  RETURN_IF_ERROR(CheckId(what, id));
  if (type == kFileType) return CheckFileId(what, id);
  return Status::OK();
}

}  // namespace

bool IsValidName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameBytes &&
         std::all_of(name.begin(), name.end(), IsNameChar);
}

Status CheckName(std::string_view what, std::string_view name) {
  if (IsValidName(name)) return Status::OK();
  return InvalidArgument("invalid " + std::string(what) + " " + Printable(name) +
                         ": names are 1 to 64 of a-z, 0-9, '_' and '-'");
}

Status CheckTenant(std::string_view tenant_id) {
  if (tenant_id.empty()) return InvalidArgument("tenant_id is required");
  if (tenant_id.size() > kMaxTenantBytes || !IsPrintable(tenant_id)) {
    return InvalidArgument("invalid tenant_id " + Printable(tenant_id));
  }
  return Status::OK();
}

Status CheckObject(const ObjectRef& object) {
  return CheckTypedId("object", object.type, object.id);
}

Status CheckSubject(const SubjectRef& subject) {
  if (subject.type == kWildcard || subject.id == kWildcard) {
    if (subject.is_wildcard()) return Status::OK();
    return InvalidArgument("the wildcard subject is exactly *:*, got " +
                           Printable(ToString(subject)));
  }
  RETURN_IF_ERROR(CheckTypedId("subject", subject.type, subject.id));
  if (subject.is_userset()) return CheckName("subject relation", subject.relation);
  return Status::OK();
}

std::string Printable(std::string_view value) {
  if (value.size() > kMaxPrintableBytes || !IsPrintable(value)) {
    return "<" + std::to_string(value.size()) + " bytes>";
  }
  return "'" + std::string(value) + "'";
}

}  // namespace nexus::rebac

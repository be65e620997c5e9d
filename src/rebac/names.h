// Validation of the names and identifiers that tuples and namespaces are made of.
//
// They arrive as RPC parameters and end up in SQL parameters, JSON and logs, so they are
// checked once here: names (object types, relations, permissions) are [a-z0-9_-]{1,64};
// ids are non-empty UTF-8 without control characters, at most kMaxPathBytes; file ids are
// normalised absolute paths (what the path tree stores), which their parents are computed
// from. Messages echo a value only when it is safe to print.
#ifndef NEXUS_REBAC_NAMES_H_
#define NEXUS_REBAC_NAMES_H_

#include <string_view>

#include "rebac/refs.h"
#include "util/status.h"

namespace nexus::rebac {

inline constexpr size_t kMaxNameBytes = 64;

bool IsValidName(std::string_view name);

// kInvalidArgument "invalid <what> '<name>': ..." unless IsValidName.
Status CheckName(std::string_view what, std::string_view name);

Status CheckTenant(std::string_view tenant_id);

// The object's type is a name and its id a valid id (a normalised path for files).
Status CheckObject(const ObjectRef& object);

// As CheckObject, plus the relation of a userset; the wildcard *:* is accepted.
Status CheckSubject(const SubjectRef& subject);

// `value` for a message: itself when short and printable, else a placeholder.
std::string Printable(std::string_view value);

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_NAMES_H_

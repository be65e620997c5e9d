// application/x-www-form-urlencoded bodies and URL query strings (RFC 3986 percent-encoding),
// as OAuth authorization URLs and token requests use them.
#ifndef NEXUS_UTIL_FORM_URLENCODED_H_
#define NEXUS_UTIL_FORM_URLENCODED_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace nexus {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX.
std::string PercentEncode(std::string_view text);

// "k1=v1&k2=v2", names and values percent-encoded, in the given order.
std::string FormEncode(const FormFields& fields);

// The fields of a form body or query string; '+' is a space. kInvalidArgument for a
// malformed %-escape.
StatusOr<FormFields> FormDecode(std::string_view text);

}  // namespace nexus

#endif  // NEXUS_UTIL_FORM_URLENCODED_H_

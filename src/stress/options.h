// nexus-stress's command line, parsed apart from main() so it can be tested.
#ifndef NEXUS_STRESS_OPTIONS_H_
#define NEXUS_STRESS_OPTIONS_H_

#include <string>
#include <string_view>

#include "util/status.h"

namespace nexus::stress {

// The server URL for the client library: "http(s)://host[:port][/base]" as given, or
// "host[:port]", which means "http://host:port" with port 8080 by default.
// kInvalidArgument for another scheme, a bad host or port, or a query.
StatusOr<std::string> ServerUrl(std::string_view url);

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_OPTIONS_H_

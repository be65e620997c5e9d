// nexus-stress's command line, parsed apart from main() so it can be tested.
#ifndef NEXUS_STRESS_OPTIONS_H_
#define NEXUS_STRESS_OPTIONS_H_

#include <string>
#include <string_view>

#include "stress/http_connection.h"
#include "util/status.h"

namespace nexus::stress {

// "http://host:port", "http://host:port/" or "host:port"; the port defaults to 80 with a
// scheme and 8080 without. kInvalidArgument for https, a path, or a bad port.
StatusOr<ServerAddress> ParseUrl(std::string_view url);

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_OPTIONS_H_

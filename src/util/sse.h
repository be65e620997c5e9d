// Server-Sent Events (text/event-stream), as MCP's Streamable HTTP carries messages: the
// data of each event of a body. Used by the stdio bridge and by the client of mounted MCP
// servers.
#ifndef NEXUS_UTIL_SSE_H_
#define NEXUS_UTIL_SSE_H_

#include <string>
#include <string_view>
#include <vector>

namespace nexus {

// The data of each event in `body`, in order: an event's "data:" lines (one optional space
// after the colon dropped) joined by '\n'. Other fields and comments are skipped; a last
// event without its blank line counts.
std::vector<std::string> SseEventData(std::string_view body);

}  // namespace nexus

#endif  // NEXUS_UTIL_SSE_H_

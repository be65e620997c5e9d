#include "util/sse.h"

namespace nexus {

std::vector<std::string> SseEventData(std::string_view body) {
  std::vector<std::string> events;
  std::string data;
  for (size_t start = 0; start <= body.size();) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) {
      if (!data.empty()) events.push_back(std::move(data));
      data.clear();
    } else if (line.starts_with("data:")) {
      line.remove_prefix(5);
      if (line.starts_with(' ')) line.remove_prefix(1);
      if (!data.empty()) data += '\n';
      data += line;
    }
    start = end + 1;
  }
  if (!data.empty()) events.push_back(std::move(data));
  return events;
}

}  // namespace nexus

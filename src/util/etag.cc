#include "util/etag.h"

namespace nexus {

std::string BareEtag(std::string value) {
  if (value.starts_with("W/")) value.erase(0, 2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  return value;
}

}  // namespace nexus

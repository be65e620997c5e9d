#include "client/http.h"

#include "util/ascii.h"

namespace nexus::client {

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

}  // namespace nexus::client

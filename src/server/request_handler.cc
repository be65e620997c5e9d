#include "server/request_handler.h"

#include <limits>

namespace nexus::server {

// Defined out of line so the vtable has one home.
RequestHandler::~RequestHandler() = default;

size_t RequestHandler::MaxBodyBytes(const HttpRequest& /*head*/) const {
  return std::numeric_limits<size_t>::max();
}

std::optional<HttpResponse> RequestHandler::AdmitBody(const HttpRequest& /*head*/) {
  return std::nullopt;
}

}  // namespace nexus::server

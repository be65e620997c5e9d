#include "server/request_handler.h"

namespace nexus::server {

// Defined out of line so the vtable has one home.
RequestHandler::~RequestHandler() = default;

}  // namespace nexus::server

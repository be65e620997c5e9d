// Everything a handler knows about the call besides its parameters.
#ifndef NEXUS_RPC_CALL_CONTEXT_H_
#define NEXUS_RPC_CALL_CONTEXT_H_

#include <string>

#include "auth/identity.h"
#include "session/services.h"
#include "session/session.h"

namespace nexus::rpc {

struct CallContext {
  const auth::Identity& caller;
  const session::Services& services;
  // The caller's view of the node: file operations and access decisions go through it, so a
  // handler only decodes parameters and encodes results.
  const session::Session& session;
  std::string if_none_match;  // the request's If-None-Match, quotes stripped
};

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_CALL_CONTEXT_H_

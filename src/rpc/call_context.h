// Everything a handler knows about the call besides its parameters.
#ifndef NEXUS_RPC_CALL_CONTEXT_H_
#define NEXUS_RPC_CALL_CONTEXT_H_

#include <string>

#include "auth/identity.h"
#include "rpc/services.h"

namespace nexus::rpc {

struct CallContext {
  const auth::Identity& caller;
  const Services& services;
  std::string if_none_match;  // the request's If-None-Match, quotes stripped
};

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_CALL_CONTEXT_H_

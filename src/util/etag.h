// Etags as HTTP headers carry them.
#ifndef NEXUS_UTIL_ETAG_H_
#define NEXUS_UTIL_ETAG_H_

#include <string>

namespace nexus {

// An ETag or If-None-Match value without its quotes or weak prefix: `W/"abc"` -> `abc`.
std::string BareEtag(std::string value);

}  // namespace nexus

#endif  // NEXUS_UTIL_ETAG_H_

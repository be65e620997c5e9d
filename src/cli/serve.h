// `nexus serve`: the HTTP server over one store, until SIGTERM or SIGINT.
#ifndef NEXUS_CLI_SERVE_H_
#define NEXUS_CLI_SERVE_H_

#include "cli/serve_options.h"

namespace nexus::cli {

// Blocks until a signal asks to stop; then drains in-flight requests and closes the store.
// Returns the process exit status.
int RunServe(const ServeOptions& options);

}  // namespace nexus::cli

#endif  // NEXUS_CLI_SERVE_H_

// In-memory files handed to sandboxed children.
#ifndef NEXUS_SANDBOX_UNIQUE_FD_H_
#define NEXUS_SANDBOX_UNIQUE_FD_H_

#include <string_view>

#include "util/status.h"
#include "util/unique_fd.h"

namespace nexus::sandbox {

using ::nexus::UniqueFd;

// An anonymous in-memory file (memfd, close-on-exec) holding `data`, positioned at its
// start, so that a child can read it like a pipe without the writer having to stay around.
// This is how file contents (code, /etc/passwd) reach bwrap without touching the host disk.
StatusOr<UniqueFd> MakeDataFd(const char* name, std::string_view data);

}  // namespace nexus::sandbox

#endif  // NEXUS_SANDBOX_UNIQUE_FD_H_

// MIME types guessed from file names, for metadata of files written without one.
#ifndef NEXUS_VFS_MIME_H_
#define NEXUS_VFS_MIME_H_

#include <string>
#include <string_view>

namespace nexus::vfs {

// "text/markdown" for "/a/SKILL.md"; "application/octet-stream" when the extension is unknown.
std::string GuessMimeType(std::string_view path);

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_MIME_H_

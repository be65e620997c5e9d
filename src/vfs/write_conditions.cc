#include "vfs/write_conditions.h"

namespace nexus::vfs {

Status CheckWriteConditions(const std::string& path, const std::optional<std::string>& current,
                            const WriteOptions& options) {
  if (options.force) return Status::OK();
  if (options.if_none_match && current) return AlreadyExists("File already exists: " + path);
  if (!options.if_match) return Status::OK();
  const std::string etag = current.value_or("");
  if (etag == *options.if_match) return Status::OK();
  return Status(Code::kConflict,
                "Conflict detected - file was modified by another agent. Expected etag '" +
                    options.if_match->substr(0, 16) + "...', but current etag is '" +
                    etag.substr(0, 16) + "...': " + path,
                {{"path", path}, {"expected_etag", *options.if_match}, {"current_etag", etag}});
}

}  // namespace nexus::vfs

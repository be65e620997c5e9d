// Metadata export and import (export_metadata / import_metadata): the files of a subtree as
// JSON lines, one object per file, and those lines applied to another subtree.
//
// A line is {"etag", "mime_type", "path", "size"}: `path` relative to the exported
// directory, `etag` the SHA-256 of the content in the blob store. Only what an import
// reproduces is exported (versions, times and owners are the importer's), so exporting the
// imported subtree gives the same lines again. An import names content, it does not carry
// it: each line's content must already be in the store, as a version of a file the caller
// may read. Everything is checked before anything is written, and an import is one write
// unit.
//
// Paths here are stored paths, already scoped by the caller; permissions are asked of the
// SkillAccess the caller passes (the session's AccessPolicy, session/skill_access.h).
#ifndef NEXUS_SERVICES_METADATA_TRANSFER_H_
#define NEXUS_SERVICES_METADATA_TRANSFER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/skill_access.h"
#include "storage/engine.h"
#include "util/status.h"
#include "vfs/path_tree.h"

namespace nexus::services {

struct MetadataLine {
  std::string path;  // relative, '/'-separated
  int64_t size = 0;
  std::string etag;
  std::string mime_type;
};

inline constexpr size_t kMaxMetadataLineBytes = 16 * 1024;
inline constexpr size_t kMaxMetadataLines = 100000;

// The lines as JSONL text, each ending in '\n'; keys in sorted order.
std::string FormatMetadataLines(const std::vector<MetadataLine>& lines);

// A parsed line with its 1-based line number in the text.
struct NumberedLine {
  int64_t number = 0;
  MetadataLine line;
};

// Parses JSONL text; blank lines are skipped. Any problem is kValidation "line N: ...": a
// line over kMaxMetadataLineBytes, not a JSON object, an unknown or missing key, a wrong
// type, an absolute path or one with '.' or '..', an etag that is not a SHA-256, more than
// kMaxMetadataLines lines.
StatusOr<std::vector<NumberedLine>> ParseMetadataLines(std::string_view text);

enum class ConflictMode {
  kSkip,       // an existing file is left as it is
  kOverwrite,  // an existing file gets the line's content as a new version
  kFail,       // an existing file fails the import (kAlreadyExists)
};

// "skip", "overwrite" or "fail"; anything else is kInvalidArgument.
StatusOr<ConflictMode> ParseConflictMode(std::string_view name);

// A line with the stored path it goes to.
struct ImportItem {
  int64_t number = 0;
  std::string target;
  MetadataLine line;
};

struct ImportResult {
  int64_t total = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t skipped = 0;  // existing files left alone (skip mode, or already that content)
};

class MetadataTransfer {
 public:
  MetadataTransfer(storage::Engine& engine, vfs::PathTree& tree) : engine_(engine), tree_(tree) {}

  // The lines of the files below `dirs` (stored directories, or one file) that the caller
  // may read, sorted by path, with paths relative to `base`.
  StatusOr<std::vector<MetadataLine>> Export(const std::vector<std::string>& dirs,
                                             const std::string& base, SkillAccess& access);

  // Applies `items` in one write unit, or with `dry_run` only counts what it would do. A
  // line's content is looked for only in files below `content_roots` (stored directories:
  // the caller's tenant and the system-wide ones), so one line cannot make the import scan,
  // and check permissions on, every tenant's files.
  // Refused as a whole when: two lines go to one path (kValidation), the caller may not write
  // a target (kPermissionDenied), a line's content is not the content of a file version the
  // caller may read or has another size (kValidation), a target is a directory
  // (kValidation), or, in kFail mode, a target exists (kAlreadyExists).
  StatusOr<ImportResult> Import(const vfs::Actor& actor, const std::vector<ImportItem>& items,
                                const std::vector<std::string>& content_roots, ConflictMode mode,
                                bool dry_run, SkillAccess& access);

 private:
  // The stored paths below `roots` of files with a version holding `hash` of `size` bytes.
  StatusOr<std::vector<std::string>> Holders(const std::string& hash, int64_t size,
                                             const std::vector<std::string>& roots);
  // kValidation unless some holder of each line's content is readable by the caller.
  Status CheckContent(const std::vector<ImportItem>& items, const std::vector<std::string>& roots,
                      SkillAccess& access);

  storage::Engine& engine_;
  vfs::PathTree& tree_;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_METADATA_TRANSFER_H_

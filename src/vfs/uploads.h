// Chunked uploads: a file too large for one request, sent in parts and committed as one new
// version of the file.
//
// Begin opens a session for a path; each part is stored as a blob as it arrives (parts may
// come in any order, in parallel, and a part sent again replaces the earlier one); Commit
// concatenates the parts into the file's content (BlobStore::Concatenate, a block at a time)
// and makes it the file's new version in one write unit that also ends the session, on the
// session's if_match condition. Until then readers see the old version, whole; a session
// that is abandoned changes nothing and is removed once it expires (by the next Begin, which
// sweeps the expired ones). Parts are referenced blobs while their session lives, so the blob
// sweeper leaves them alone; ending a session drops those references.
//
// Who may use a session is the caller's business (session/): a session records an opaque
// owner, and Find gives it only to that owner.
#ifndef NEXUS_VFS_UPLOADS_H_
#define NEXUS_VFS_UPLOADS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/blob_store.h"
#include "storage/engine.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {

struct UploadOptions {
  // Every part but the last has exactly this size; a multiple of storage::kBlobChunkBytes.
  int64_t part_size = int64_t{4} << 20;
  int64_t max_parts = 100'000;                          // 400 GiB at the default part size
  int64_t ttl_micros = int64_t{24} * 3600 * 1'000'000;  // from Begin to expiry
};

struct UploadSession {
  std::string id;
  std::string path;  // normalised
  std::string owner;
  std::optional<std::string> if_match;  // the etag the file must still have at Commit
  int64_t part_size = 0;
  int64_t created_at = 0;  // micros
  int64_t expires_at = 0;  // micros
};

struct UploadedPart {
  int64_t index = 0;
  int64_t size = 0;
  std::string hash;
};

class Uploads {
 public:
  Uploads(storage::Engine& engine, storage::BlobStore& blobs, PathTree& tree,
          UploadOptions options = {})
      : engine_(engine), blobs_(blobs), tree_(tree), options_(options) {}

  // Opens a session for file `path`, after removing expired sessions.
  StatusOr<UploadSession> Begin(std::string_view path, const std::string& owner,
                                std::optional<std::string> if_match);
  // Session `id` of `owner`: kNotFound when there is none, it expired or it is another's.
  StatusOr<UploadSession> Find(std::string_view id, const std::string& owner);
  // Stores part `index` (from 0): at most part_size bytes, and exactly that unless it turns
  // out to be the last.
  StatusOr<UploadedPart> PutPart(const UploadSession& session, int64_t index,
                                 std::string_view content);
  // Makes parts 0..n-1 the file's new version and ends the session. `expected_parts` and
  // `expected_size`, when given, must match what arrived (kValidation otherwise, and the
  // session stays so that the missing part can still be sent).
  StatusOr<FileInfo> Commit(const Actor& actor, const UploadSession& session,
                            std::optional<int64_t> expected_parts,
                            std::optional<int64_t> expected_size);
  // Ends the session without writing; its parts' references go.
  Status Abort(const UploadSession& session);
  // Removes the sessions past their expiry; how many.
  StatusOr<int64_t> SweepExpired();

  const UploadOptions& options() const { return options_; }

 private:
  // Inside a write unit: removes session `id` and drops its parts' references; kNotFound
  // when it is already gone (committed or aborted by a concurrent call).
  static Status EndInUnit(storage::Tx& tx, const std::string& id);

  storage::Engine& engine_;
  storage::BlobStore& blobs_;
  PathTree& tree_;
  const UploadOptions options_;
};

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_UPLOADS_H_

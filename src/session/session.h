// The session module's face: one caller's view of a node, with every operation already
// authorized. JSON-RPC, MCP and any later front end decode arguments, call a Session and
// encode what it returns, so they cannot disagree about who may do what.
//
// Each file operation takes the path as the caller gave it, maps it into the caller's tenant
// (auth::ScopePath), checks the caller's access (AccessPolicy: tenancy, then ReBAC), runs on
// the path tree with the mounts in front of it, and returns paths as the caller should see
// them (auth::Present, in the form the call used). Paths a front end gets from a Session are
// therefore never stored paths, except from the decisions below, which work on stored paths
// for the services that keep them (workspaces, mounts, skills).
//
// A Session holds no decisions: each operation decides afresh, so a grant or revoke is seen
// by the next one, however long the session lives. It borrows the services and the identity,
// which must outlive it; making one costs nothing.
#ifndef NEXUS_SESSION_SESSION_H_
#define NEXUS_SESSION_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/identity.h"
#include "auth/tenant_paths.h"
#include "session/access.h"
#include "session/services.h"
#include "session/skill_access.h"
#include "util/status.h"
#include "vfs/path_tree.h"
#include "vfs/router.h"
#include "vfs/uploads.h"

namespace nexus::session {

// The most entries one page of a listing holds.
inline constexpr int64_t kMaxListLimit = 10000;
// The most results one search returns.
inline constexpr int64_t kMaxSearchLimit = 10000;

struct ListRequest {
  bool recursive = false;
  std::string prefix;  // only entries whose path relative to the directory starts with this
  std::optional<int64_t> limit;  // entries per page, 1 to kMaxListLimit; none: all
  std::string cursor;            // the last path of the previous page, as that page showed it
};

// Entries of a listing the caller may see, in path order, paths as the caller sees them.
struct Listing {
  std::vector<vfs::FileInfo> entries;
  bool has_more = false;  // more visible entries follow the last one
};

struct SearchHit {
  std::string path;         // as the caller sees it
  bool in_content = false;  // a line matched; else the file's name did
  int64_t line = 0;         // with in_content: 1-based
  std::string content;      // with in_content: the whole line
};

class Session {
 public:
  Session(const Services& services, const auth::Identity& caller)
      : services_(services), caller_(caller) {}

  // Who the caller is, as a string no two callers share: the owner of what a caller opens
  // and must be the one to use again (upload sessions, MCP sessions).
  std::string OwnerKey() const;

  // ---- Decisions, for operations that live in the services and keep stored paths.

  // `raw` normalised, mapped into the caller's tenant and checked for `access`.
  StatusOr<auth::ScopedPath> Authorize(std::string_view raw, Access access) const;
  // kPermissionDenied naming the path and the missing permission unless allowed.
  Status Check(const std::string& stored, Access access) const;
  // Which of `stored` a listing may show (AccessPolicy::Visible), in one evaluation.
  StatusOr<std::vector<bool>> Visible(const std::vector<std::string>& stored) const;
  // The skill and metadata services' view of the same policy.
  PolicySkillAccess SkillAccess() const { return PolicySkillAccess(*services_.rebac, caller_); }
  // `stored` as the caller sees it, given the form of the call.
  std::string Present(const std::string& stored, bool legacy) const;
  // The stored directories a walk of `stored` covers: "/" is the caller's tenant and the
  // system-wide directories, as a listing of the root shows them; anything else is itself.
  std::vector<std::string> WalkRoots(const std::string& stored) const;

  // ---- Files (api.md §6.2). Reads need read permission, changes write permission.

  StatusOr<vfs::FileContent> Read(std::string_view path) const;
  // Stored file `stored` without a read check, for a caller that decided access itself:
  // read_with_dynamic_viewer, where a dynamic_viewer configuration grants a filtered view of
  // a file its subject may not otherwise read, and Check decides otherwise. It keeps every
  // read of the tree behind this face.
  StatusOr<vfs::FileContent> ReadStored(const std::string& stored) const;
  StatusOr<vfs::FileInfo> Stat(std::string_view path) const;
  // The content hash of file `path`; none for a directory or a path that cannot be stat'ed.
  StatusOr<std::optional<std::string>> Etag(std::string_view path) const;
  // False for a path the caller may not read: whether it exists is not theirs to know.
  StatusOr<bool> Exists(std::string_view path) const;
  // kUnavailable with "owner_node" when one of `paths` lies in another node's mount (the
  // whole call goes there); OK otherwise, bad or forbidden paths included (each call on
  // them answers for itself). For calls over many paths, before their first change.
  Status CheckServedHere(const std::vector<std::string>& paths) const;
  // False for anything but a directory the caller may read; kUnavailable with "owner_node"
  // for a path of another node's mount (the call goes there).
  StatusOr<bool> IsDirectory(std::string_view path) const;
  StatusOr<vfs::FileInfo> Write(std::string_view path, std::string_view content,
                                const vfs::WriteOptions& options = {}) const;
  StatusOr<vfs::FileInfo> Append(std::string_view path, std::string_view content,
                                 const vfs::WriteOptions& options = {}) const;
  // Checks every (path, content) entry before writing any, so a forbidden entry writes
  // nothing; then writes them in order.
  StatusOr<std::vector<vfs::FileInfo>> WriteBatch(
      const std::vector<std::pair<std::string, std::string>>& files) const;
  Status Delete(std::string_view path) const;
  Status Mkdir(std::string_view path, bool parents, bool exist_ok) const;
  Status Rmdir(std::string_view path, bool recursive) const;
  // A file is deleted, a directory removed (with `recursive`, whatever it holds).
  Status Remove(std::string_view path, bool recursive) const;
  // Needs write permission on both paths.
  Status Rename(std::string_view from, std::string_view to) const;
  // Needs read permission on `src`, write permission on `dst`.
  Status Copy(std::string_view src, std::string_view dst) const;

  // The entries of directory `path` the caller may see. Leaving out what the caller may not
  // see never shortens a page nor hides that more follow. The root shows the caller's
  // tenant as its own tree plus the system-wide directories. A directory that does not exist
  // lists as empty; one that is not visible (readable, or on the way to something readable)
  // is refused.
  StatusOr<Listing> List(std::string_view path, const ListRequest& request) const;
  // The readable paths matching `pattern` below `base`; an absolute pattern names its own
  // directory.
  StatusOr<std::vector<std::string>> Glob(std::string_view pattern, std::string_view base) const;
  // Lines matching `pattern` in the readable files below `path` (a visible directory or a
  // file). Unreadable files are not searched, so they take no place in options.max_results;
  // options.include is the session's.
  StatusOr<std::vector<vfs::GrepMatch>> Grep(std::string_view pattern, std::string_view path,
                                             vfs::GrepOptions options) const;
  // At most `limit` readable files below `path` whose name contains `query` (ignoring
  // case), in path order, then lines containing it, up to `limit` hits in all.
  StatusOr<std::vector<SearchHit>> Search(const std::string& query, std::string_view path,
                                          int64_t limit) const;

  // Bytes [offset, offset + length) of file `path`, fewer at its end; `info` is the file's.
  StatusOr<vfs::FileContent> ReadRange(std::string_view path, int64_t offset, int64_t length) const;

  // ---- Chunked uploads (vfs/uploads.h), for files too large for one request. A session
  // is its caller's (tenant, user and agent) only; write permission is checked when it
  // begins and again when it commits. Not on mounted paths.

  // The session, with its path as the caller sees it.
  StatusOr<vfs::UploadSession> BeginUpload(std::string_view path,
                                           std::optional<std::string> if_match) const;
  StatusOr<vfs::UploadedPart> UploadPart(std::string_view id, int64_t index,
                                         std::string_view content) const;
  StatusOr<vfs::FileInfo> CommitUpload(std::string_view id, std::optional<int64_t> parts,
                                       std::optional<int64_t> size) const;
  Status AbortUpload(std::string_view id) const;

  // ---- Versions (api.md §6.3).

  StatusOr<vfs::FileContent> ReadVersion(std::string_view path, int64_t version) const;
  StatusOr<std::vector<vfs::VersionInfo>> ListVersions(std::string_view path) const;
  Status Rollback(std::string_view path, int64_t version) const;
  // A line diff of two versions' content.
  StatusOr<std::string> DiffVersions(std::string_view path, int64_t v1, int64_t v2) const;

 private:
  AccessPolicy Policy() const { return AccessPolicy(*services_.rebac, caller_); }
  vfs::Actor Actor() const { return vfs::Actor{caller_.user_id}; }
  using RouterWrite = StatusOr<vfs::FileInfo> (vfs::Router::*)(const vfs::Actor&, std::string_view,
                                                               std::string_view,
                                                               const vfs::WriteOptions&);
  // Write and Append: `write` on the authorized path.
  StatusOr<vfs::FileInfo> WriteWith(RouterWrite write, std::string_view path,
                                    std::string_view content,
                                    const vfs::WriteOptions& options) const;
  StatusOr<vfs::FileContent> ReadAt(std::string_view path, std::optional<int64_t> version) const;
  // The stored path of `raw` after Authorize.
  StatusOr<std::string> Stored(std::string_view raw, Access access) const;
  // `info` with its path as the caller sees it.
  vfs::FileInfo Presented(vfs::FileInfo info, bool legacy) const;
  // A directory can be listed or searched when it is visible.
  Status CheckListable(const std::string& dir) const;
  StatusOr<std::vector<std::string>> VisiblePaths(std::vector<std::string> paths) const;
  // Upload parts (session_uploads.cc): the uploads service.
  StatusOr<vfs::Uploads*> UploadsService() const;
  // Listing parts (session_list.cc).
  StatusOr<Listing> VisibleEntries(const std::string& dir, vfs::ListOptions options) const;
  StatusOr<Listing> RootEntries(const vfs::ListOptions& options, const std::string& cursor) const;
  // Search parts (session_search.cc).
  StatusOr<std::vector<std::string>> NameMatches(std::vector<std::string> roots,
                                                 const std::string& query, size_t limit) const;

  const Services& services_;
  const auth::Identity& caller_;
};

}  // namespace nexus::session

#endif  // NEXUS_SESSION_SESSION_H_

#include "services/mounts/mounts.h"

#include <nlohmann/json.hpp>
#include <tuple>

#include "auth/tenant_paths.h"
#include "services/mounts/mount_claims.h"
#include "storage/rows.h"
#include "util/background.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/glob.h"
#include "util/ids.h"
#include "util/mutex.h"
#include "util/path.h"
#include "util/thread_annotations.h"

namespace nexus::services {

using storage::Row;
using storage::Rows;
using storage::Tx;

namespace {

using Json = nlohmann::json;

// The backend registry of api.md §6.4: what each type needs, and whether it is served here.
struct BackendType {
  ConnectorInfo info;
  std::string needs;  // the outside service a connector needs; empty when served here
};

const std::vector<BackendType>& Registry() {
  static const std::vector<BackendType> kTypes = {
      {{"local",
        "Host directory mapped into the tree (read-only or read-write)",
        "storage",
        {"data_dir"},
        false,
        true},
       ""},
      {{"gcs",
        "Google Cloud Storage bucket (content-addressed)",
        "storage",
        {"bucket", "project_id", "credentials_path"},
        false,
        false},
       "Google Cloud Storage"},
      {{"gcs_connector",
        "Google Cloud Storage bucket, path-based",
        "storage",
        {"bucket", "project_id", "prefix", "credentials_path", "access_token"},
        false,
        false},
       "Google Cloud Storage"},
      {{"s3_connector",
        "Amazon S3 bucket, path-based",
        "storage",
        {"bucket", "region_name", "prefix", "credentials_path", "access_key_id",
         "secret_access_key", "session_token"},
        false,
        false},
       "Amazon S3"},
      {{"gdrive_connector",
        "Google Drive folder",
        "oauth",
        {"root_folder", "user_email"},
        true,
        false},
       "Google Drive"},
      {{"gmail_connector",
        "Gmail messages by label",
        "oauth",
        {"user_email", "provider", "max_message_per_label"},
        true,
        false},
       "Gmail"},
      {{"x_connector",
        "X (Twitter) timeline and posts",
        "api",
        {"user_email", "cache_ttl", "cache_dir"},
        true,
        false},
       "the X API"},
      {{"hn_connector",
        "Hacker News stories and comments",
        "api",
        {"cache_ttl", "stories_per_feed", "include_comments"},
        false,
        false},
       "the Hacker News API"},
  };
  return kTypes;
}

Status Validation(std::string msg) { return Status(Code::kValidation, std::move(msg)); }

Status NeedAdmin(const auth::Identity& caller, std::string_view what) {
  if (caller.is_admin || caller.is_system) return Status::OK();
  return PermissionDenied("Access denied: only an admin may " + std::string(what) +
                          " (a local mount exposes files of the host)");
}

// Whether `caller` may place a mount at stored path `point`.
Status CheckPlace(const auth::Identity& caller, const std::string& point) {
  if (point == "/" || ParentPath(point) == "/")
    return Validation("Mount point " + point + " is a namespace or tenant root");
  if (auth::IsSystemWide(point)
          ? !caller.is_system
          : auth::StoredPathTenant(point) != caller.tenant_id && !caller.is_system) {
    return PermissionDenied("Access denied: " + point + " is outside the caller's tenant");
  }
  return Status::OK();
}

std::string TenantOf(const std::string& point) {
  return std::string(auth::StoredPathTenant(point));
}

// Skills and agents write their directories through the path tree, not the Router: a mount
// over one would hide them, or receive writes meant for it. So a mount point is never a
// user home (or above one), the tenant's skill root, or at or in a skill tier or an agent
// directory: /tenant:<t>/skill..., /tenant:<t>/user:<u>, /tenant:<t>/user:<u>/{skill,agent}...,
// /skill/....
Status CheckNotServiceTree(const std::string& point) {
  const Status refused = Validation("Mount point " + point +
                                    " would cover a user home, a skill tier or an agent "
                                    "directory, which services write directly");
  if (IsSameOrUnder(point, "/skill")) return refused;
  const std::string_view tenant = auth::StoredPathTenant(point);
  if (tenant.empty()) return Status::OK();
  const std::string root = auth::TenantRoot(tenant);
  if (IsSameOrUnder(point, root + "/skill")) return refused;
  const std::string_view rest = std::string_view(point).substr(root.size());  // "/user:u/..."
  if (!rest.starts_with("/user:")) return Status::OK();
  const size_t home_end = rest.find('/', 1);
  if (home_end == std::string_view::npos) return refused;  // the home itself
  const std::string home = root + std::string(rest.substr(0, home_end));
  if (IsSameOrUnder(point, home + "/skill") || IsSameOrUnder(point, home + "/agent"))
    return refused;
  return Status::OK();
}

// Host directories are the system administrator's to expose, whoever administers the tenant.
Status NeedSystemForLocal(const auth::Identity& caller, const MountSpec& spec) {
  if (spec.backend_type != "local" || caller.is_system) return Status::OK();
  return PermissionDenied(
      "Access denied: only the system administrator may mount a host directory (backend local)");
}

// Whether host directory `dir` (resolved) lies under one of `roots` (resolved).
Status CheckUnderRoot(const std::string& dir, const std::vector<std::string>& roots) {
  if (roots.empty())
    return Validation(
        "local mounts are disabled on this server: start it with --mount-root DIR (or "
        "mounts.local_roots in its config file) to allow host directories under DIR");
  for (const std::string& root : roots) {
    if (IsSameOrUnder(dir, root)) return Status::OK();
  }
  std::string allowed;
  for (const std::string& root : roots) allowed += (allowed.empty() ? "" : ", ") + root;
  return Validation("data_dir " + dir + " is not under a mount root of this server (" + allowed +
                    ")");
}

rebac::TupleWrite OwnerGrant(const std::string& point, const rebac::SubjectRef& owner) {
  return rebac::TupleWrite{TenantOf(point), owner, "direct_owner", {"file", point}, {}, {}, "", ""};
}

constexpr const char* kSavedColumns =
    "mount_id, mount_point, backend_type, backend_config, priority, readonly, owner_user_id, "
    "tenant_id, description, created_at, updated_at";

SavedMount SavedFromRow(const Row& r) {
  SavedMount m;
  m.mount_id = r.Text(0);
  m.spec = MountSpec{r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5) != 0};
  m.owner_user_id = r.Text(6);
  m.tenant_id = r.Text(7);
  m.description = r.Text(8);
  m.created_at = r.Int(9);
  m.updated_at = r.Int(10);
  return m;
}

constexpr const char* kJobColumns =
    "id, tenant_id, mount_point, status, progress_pct, progress_detail, sync_params, created_at, "
    "started_at, completed_at, created_by, result, error_message, node_id";

SyncJob JobFromRow(const Row& r) {
  SyncJob j;
  j.id = r.Text(0);
  j.tenant_id = r.Text(1);
  j.mount_point = r.Text(2);
  j.status = r.Text(3);
  j.progress_pct = r.Int(4);
  j.progress_detail_json = r.Text(5);
  j.sync_params_json = r.Text(6);
  j.created_at = r.Int(7);
  j.started_at = r.OptInt(8);
  j.completed_at = r.OptInt(9);
  j.created_by = r.Text(10);
  j.result_json = r.Text(11);
  j.error_message = r.Text(12);
  j.node_id = r.Text(13);
  return j;
}

std::string FirstColumn(const Row& r) { return r.Text(0); }

// The scope a caller's listings of saved mounts and jobs are limited to, as SQL.
void AddScope(const auth::Identity& caller, const char* owner_column, std::string& sql,
              storage::Params& params) {
  if (!caller.is_system) {
    sql += " AND tenant_id = ?";
    params.push_back(caller.tenant_id);
  }
  if (!caller.is_admin && !caller.is_system) {
    sql += std::string(" AND ") + owner_column + " = ?";
    params.push_back(caller.user_id);
  }
}

// Adds "AND <column> = value" when there is a value.
void AddFilter(const char* column, const std::optional<std::string>& value, std::string& sql,
               storage::Params& params) {
  if (!value) return;
  sql += std::string(" AND ") + column + " = ?";
  params.push_back(*value);
}

}  // namespace

std::string SyncReportJson(const SyncReport& r) {
  return Json{{"files_scanned", r.files_scanned},
              {"files_created", r.files_created},
              {"files_updated", r.files_updated},
              {"files_deleted", r.files_deleted},
              {"cache_synced", 0},
              {"cache_bytes", 0},
              {"cache_skipped", 0},
              {"embeddings_generated", 0},
              {"errors", r.errors}}
      .dump();
}

namespace {

// Include and exclude filters of a sync.
class Selection {
 public:
  static StatusOr<Selection> Compile(const SyncOptions& options) {
    Selection s;
    for (const std::string& p : options.include_patterns) {
      ASSIGN_OR_RETURN(GlobMatcher m, GlobMatcher::Compile(p));
      s.include_.push_back(std::move(m));
    }
    for (const std::string& p : options.exclude_patterns) {
      ASSIGN_OR_RETURN(GlobMatcher m, GlobMatcher::Compile(p));
      s.exclude_.push_back(std::move(m));
    }
    return s;
  }

  bool Selected(const std::string& rel) const {
    return (include_.empty() || AnyMatches(include_, rel)) && !AnyMatches(exclude_, rel);
  }

 private:
  static bool AnyMatches(const std::vector<GlobMatcher>& globs, const std::string& rel) {
    const std::string_view whole = rel;  // `rel.substr` would be a temporary string
    const size_t slash = whole.rfind('/');
    const std::string_view name = slash == std::string::npos ? whole : whole.substr(slash + 1);
    for (const GlobMatcher& g : globs) {
      if (g.Matches(g.pattern().find('/') == std::string::npos ? name : rel)) return true;
    }
    return false;
  }

  std::vector<GlobMatcher> include_;
  std::vector<GlobMatcher> exclude_;
};

bool InSubtree(const std::string& rel, const std::string& root) {
  return root.empty() || rel == root || rel.starts_with(root + "/");
}

}  // namespace

MountService::MountService(storage::Engine& engine, vfs::PathTree& tree, rebac::Rebac& rebac,
                           MountServiceOptions options)
    : engine_(engine), tree_(tree), rebac_(rebac), options_(std::move(options)) {}

MountService::~MountService() { Stop(); }

bool MountService::InScope(const auth::Identity& caller, const std::string& mount_point) {
  return caller.is_system || auth::IsSystemWide(mount_point) ||
         auth::StoredPathTenant(mount_point) == caller.tenant_id;
}

std::vector<ConnectorInfo> MountService::Connectors() {
  std::vector<ConnectorInfo> out;
  for (const BackendType& t : Registry()) out.push_back(t.info);
  return out;
}

StatusOr<std::unique_ptr<vfs::LocalBackend>> MountService::OpenBackend(
    const MountSpec& spec) const {
  for (const BackendType& t : Registry()) {
    if (t.info.name != spec.backend_type || t.info.available) continue;
    return Validation("backend not available: " + spec.backend_type + " needs " + t.needs +
                      ", which this server cannot reach");
  }
  if (spec.backend_type != "local")
    return Validation("Unsupported backend type: " + spec.backend_type);
  const Json config = Json::parse(spec.backend_config_json, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object() || !config.contains("data_dir") || !config["data_dir"].is_string())
    return Validation("backend_config of a local mount needs data_dir (a host directory)");
  ASSIGN_OR_RETURN(
      std::unique_ptr<vfs::LocalBackend> backend,
      vfs::LocalBackend::Open(config["data_dir"].get<std::string>(), spec.mount_point));
  RETURN_IF_ERROR(CheckUnderRoot(backend->host_dir(), options_.local_roots));
  ASSIGN_OR_RETURN(const std::string data_dir, RealPath(options_.server_data_dir));
  if (IsSameOrUnder(backend->host_dir(), data_dir) ||
      IsSameOrUnder(data_dir, backend->host_dir())) {
    return Validation("data_dir " + backend->host_dir() +
                      " holds or lies in the server's data directory");
  }
  return backend;
}

Status MountService::CheckNoCollision(const std::string& point) {
  RETURN_IF_ERROR(CheckNotServiceTree(point));
  const std::string tenant = TenantOf(point);
  if (tenant.empty()) return Status::OK();
  // Workspace snapshots restore into their directories through the tree, and a memory
  // directory is the tree's: a mount may be neither at, above nor inside one.
  std::vector<std::string> registered;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(const Rows rows,
                     tx.Query("SELECT path FROM registered_dirs WHERE tenant_id = ? AND "
                              "(expires_at IS NULL OR expires_at > ?)",
                              {tenant, NowMicros()}));
    registered.clear();
    for (const Row& r : rows) registered.push_back(r.Text(0));
    return Status::OK();
  }));
  for (const std::string& dir : registered) {
    if (IsSameOrUnder(point, dir) || IsSameOrUnder(dir, point))
      return Validation("Mount point " + point + " overlaps the registered workspace or memory " +
                        dir);
  }
  return Status::OK();
}

Status MountService::Activate(const MountSpec& spec, const std::string& owner) {
  ASSIGN_OR_RETURN(const std::string point, NormalizeFilePath(spec.mount_point));
  RETURN_IF_ERROR(CheckNoCollision(point));
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::LocalBackend> backend, OpenBackend(spec));
  StatusOr<vfs::FileInfo> existing = tree_.Stat(point);
  if (existing.ok() && !existing->is_directory)
    return Validation("Mount point " + point + " is a file");
  if (existing.ok()) {
    ASSIGN_OR_RETURN(const vfs::ListPage page, tree_.List(point));
    if (!page.entries.empty())
      return Validation("Mount point " + point + " is a directory that is not empty");
  }
  vfs::Mount mount{.mount_point = point,
                   .backend_type = spec.backend_type,
                   .priority = spec.priority,
                   .readonly = spec.readonly,
                   .owner = owner,
                   .backend = std::move(backend),
                   .node_id = ""};  // served here
  RETURN_IF_ERROR(ClaimMount(engine_, mount, node_id()));
  Status s = table_.Add(std::move(mount));
  // The mount point is a real directory of the tree, so listings above it show it.
  if (s.ok()) s = tree_.Mkdir(vfs::Actor{owner}, point, /*parents=*/true, /*exist_ok=*/true);
  if (!s.ok()) {
    Deactivate(point);
    return s;
  }
  // Every node routes the point here before add_mount returns.
  if (options_.cluster != nullptr) options_.cluster->AwaitPropagation();
  return s;
}

void MountService::Deactivate(const std::string& point) {
  table_.Remove(point);
  // A claim that outlives this (the database failing now) names this node, which then answers
  // for the path from its tree; the node's next start withdraws it.
  (void)ReleaseMount(engine_, point, node_id());
}

const std::string& MountService::node_id() const {
  static const std::string kAlone;
  return options_.cluster != nullptr ? options_.cluster->node_id() : kAlone;
}

Status MountService::GivenUp(const std::string& node, const std::string& what) {
  if (node.empty() || node == node_id() || options_.cluster == nullptr) return Status::OK();
  return options_.cluster->MayTakeOver(node, what);
}

Status MountService::ActivateOwned(const MountSpec& spec, const rebac::SubjectRef& owner,
                                   const std::string& owner_user) {
  RETURN_IF_ERROR(Activate(spec, owner_user));
  // System-wide paths carry no tuples (services/permission_hooks.h).
  if (auth::IsSystemWide(spec.mount_point)) return Status::OK();
  const Status granted = rebac_.WriteTuple(OwnerGrant(spec.mount_point, owner)).status();
  if (!granted.ok()) {
    // A mount nobody owns could be managed by no one but an admin: do not leave it active.
    Deactivate(spec.mount_point);
    (void)tree_.Rmdir(spec.mount_point, /*recursive=*/false);
  }
  return granted;
}

Status MountService::Add(const auth::Identity& caller, const MountSpec& spec) {
  RETURN_IF_ERROR(NeedAdmin(caller, "add a mount"));
  RETURN_IF_ERROR(CheckPlace(caller, spec.mount_point));
  RETURN_IF_ERROR(NeedSystemForLocal(caller, spec));
  return ActivateOwned(spec, {caller.subject_type, caller.subject_id, ""}, caller.user_id);
}

Status MountService::ActivateSaved(const SavedMount& saved) {
  return ActivateOwned(saved.spec, {"user", saved.owner_user_id, ""}, saved.owner_user_id);
}

StatusOr<std::shared_ptr<const vfs::Mount>> MountService::MountFor(
    const auth::Identity& caller, const std::string& mount_point) const {
  std::shared_ptr<const vfs::Mount> mount = table_.Get(mount_point);
  if (!mount || !InScope(caller, mount_point)) return NotFound("Mount not found: " + mount_point);
  return mount;
}

StatusOr<RemoveOutcome> MountService::Remove(const auth::Identity& caller,
                                             const std::string& mount_point) {
  RETURN_IF_ERROR(NeedAdmin(caller, "remove a mount"));
  RemoveOutcome out;
  const StatusOr<std::shared_ptr<const vfs::Mount>> mount = MountFor(caller, mount_point);
  if (!mount.ok()) {
    out.errors.push_back("Mount not found: " + mount_point);
    return out;
  }
  RETURN_IF_ERROR(CheckPlace(caller, mount_point));
  // Another node's mount is removed there, unless that node is gone (it serves it no more).
  RETURN_IF_ERROR(GivenUp((*mount)->node_id, "mount " + mount_point));
  const std::string serving = (*mount)->served_here() ? node_id() : (*mount)->node_id;
  out.removed = table_.Remove(mount_point) != nullptr;
  if (Status released = ReleaseMount(engine_, mount_point, serving); !released.ok())
    out.errors.push_back(released.message());
  if (options_.cluster != nullptr) options_.cluster->AwaitPropagation();
  {
    MutexLock lock(&snapshot_mu_);
    snapshots_.erase(mount_point);
  }
  // Grants on files inside the mount go too: the paths no longer exist.
  if (!auth::IsSystemWide(mount_point)) {
    StatusOr<int64_t> cleaned = rebac_.RemoveObjects(TenantOf(mount_point), "file", mount_point);
    if (cleaned.ok()) {
      out.permissions_cleaned = *cleaned;
    } else {
      out.errors.push_back(cleaned.status().message());
    }
  }
  Status rmdir = tree_.Rmdir(mount_point, /*recursive=*/false);
  out.directory_deleted = rmdir.ok();
  if (!rmdir.ok() && rmdir.code() != Code::kNotFound) out.errors.push_back(rmdir.message());
  return out;
}

std::vector<std::shared_ptr<const vfs::Mount>> MountService::Active(
    const auth::Identity& caller) const {
  std::vector<std::shared_ptr<const vfs::Mount>> out;
  for (auto& m : table_.All()) {
    if (InScope(caller, m->mount_point)) out.push_back(std::move(m));
  }
  return out;
}

StatusOr<std::string> MountService::Save(const auth::Identity& caller, const SaveRequest& request) {
  RETURN_IF_ERROR(NeedAdmin(caller, "save a mount"));
  const MountSpec& spec = request.spec;
  RETURN_IF_ERROR(CheckPlace(caller, spec.mount_point));
  RETURN_IF_ERROR(NeedSystemForLocal(caller, spec));
  RETURN_IF_ERROR(CheckNoCollision(spec.mount_point));
  if (request.tenant_id && *request.tenant_id != TenantOf(spec.mount_point))
    return PermissionDenied("Access denied: tenant_id " + *request.tenant_id +
                            " does not own the mount point " + spec.mount_point);
  RETURN_IF_ERROR(OpenBackend(spec).status());
  const std::string id = NewUuid4();
  const int64_t now = NowMicros();
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    Status s =
        tx.Exec(std::string("INSERT INTO mount_configs (") + kSavedColumns +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {id, spec.mount_point, spec.backend_type, spec.backend_config_json, spec.priority,
                 int64_t{spec.readonly}, request.owner_user_id.value_or(caller.user_id),
                 TenantOf(spec.mount_point), request.description, now, now})
            .status();
    if (s.code() == Code::kAlreadyExists)
      return InvalidArgument("Mount already exists in database: " + spec.mount_point);
    return s;
  }));
  return id;
}

StatusOr<std::vector<SavedMount>> MountService::ListSaved(
    const auth::Identity& caller, const std::optional<std::string>& owner_user_id,
    const std::optional<std::string>& tenant_id) {
  std::string sql = std::string("SELECT ") + kSavedColumns + " FROM mount_configs WHERE 1 = 1";
  storage::Params params;
  AddScope(caller, "owner_user_id", sql, params);
  AddFilter("owner_user_id", owner_user_id, sql, params);
  AddFilter("tenant_id", tenant_id, sql, params);
  return storage::ReadAll(engine_, sql + " ORDER BY created_at, mount_point", params, SavedFromRow);
}

Status MountService::Load(const auth::Identity& caller, const std::string& mount_point) {
  RETURN_IF_ERROR(NeedAdmin(caller, "load a mount"));
  ASSIGN_OR_RETURN(const std::vector<SavedMount> saved,
                   ListSaved(caller, std::nullopt, std::nullopt));
  for (const SavedMount& m : saved) {
    if (m.spec.mount_point != mount_point) continue;
    RETURN_IF_ERROR(NeedSystemForLocal(caller, m.spec));
    return ActivateSaved(m);
  }
  return InvalidArgument("Mount not found in database: " + mount_point);
}

StatusOr<bool> MountService::DeleteSaved(const auth::Identity& caller,
                                         const std::string& mount_point) {
  std::string sql = "DELETE FROM mount_configs WHERE mount_point = ?";
  storage::Params params = {mount_point};
  AddScope(caller, "owner_user_id", sql, params);
  int64_t changed = 0;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(changed, tx.Exec(sql, params));
    return Status::OK();
  }));
  return changed > 0;
}

Status MountService::LoadAllSaved(
    const std::function<void(const std::string&, const Status&)>& failed) {
  RETURN_IF_ERROR(ReleaseNodeMounts(engine_, node_id()));
  auth::Identity system;
  system.is_system = true;
  ASSIGN_OR_RETURN(const std::vector<SavedMount> saved,
                   ListSaved(system, std::nullopt, std::nullopt));
  for (const SavedMount& m : saved) {
    if (Status s = ActivateSaved(m); !s.ok()) failed(m.spec.mount_point, s);
  }
  return Status::OK();
}

Status MountService::LoadOtherNodesMounts() {
  ASSIGN_OR_RETURN(std::vector<vfs::Mount> remote, OtherNodesMounts(engine_, node_id()));
  table_.ReplaceRemote(std::move(remote));
  return Status::OK();
}

StatusOr<SyncReport> MountService::Scan(const vfs::Mount& mount, const SyncOptions& options,
                                        const std::function<bool()>& cancelled, bool* stopped) {
  std::string root;
  if (options.path) {
    if (!IsSameOrUnder(*options.path, mount.mount_point))
      return Validation("path " + *options.path + " is not inside the mount " + mount.mount_point);
    root = options.path->substr(std::min(options.path->size(), mount.mount_point.size() + 1));
  }
  ASSIGN_OR_RETURN(const Selection selection, Selection::Compile(options));
  RETURN_IF_ERROR(vfs::ServedHere(mount));
  ASSIGN_OR_RETURN(const vfs::FileInfo top, mount.backend->Stat(root));
  std::vector<std::string> skipped;
  std::vector<vfs::FileInfo> entries = {top};
  if (top.is_directory) {
    ASSIGN_OR_RETURN(entries, mount.backend->List(root, options.recursive, &skipped, cancelled));
  }
  SyncReport report;
  if (cancelled()) {
    *stopped = true;
    return report;
  }
  std::map<std::string, std::string> seen;
  for (const vfs::FileInfo& e : entries) {
    if (cancelled()) {
      *stopped = true;
      return report;
    }
    if (e.is_directory || !selection.Selected(e.path)) continue;
    ++report.files_scanned;
    seen[e.path] = e.etag;
  }
  for (const std::string& s : skipped)
    report.errors.push_back("Skipped a symbolic link or special file: " + mount.mount_point + "/" +
                            s);
  MutexLock lock(&snapshot_mu_);
  std::map<std::string, std::string>& last = snapshots_[mount.mount_point];
  for (const auto& [path, etag] : seen) {
    const auto it = last.find(path);
    if (it == last.end()) {
      ++report.files_created;
    } else if (it->second != etag) {
      ++report.files_updated;
    }
  }
  std::vector<std::string> gone;
  for (const auto& [path, etag] : last) {
    if (InSubtree(path, root) && selection.Selected(path) && !seen.contains(path))
      gone.push_back(path);
  }
  report.files_deleted = static_cast<int64_t>(gone.size());
  if (!options.dry_run) {
    for (const std::string& path : gone) last.erase(path);
    for (auto& [path, etag] : seen) last[path] = std::move(etag);
  }
  return report;
}

StatusOr<SyncReport> MountService::Sync(const auth::Identity& caller,
                                        const std::string& mount_point,
                                        const SyncOptions& options) {
  ASSIGN_OR_RETURN(const std::shared_ptr<const vfs::Mount> mount, MountFor(caller, mount_point));
  bool stopped = false;
  return Scan(
      *mount, options, [] { return false; }, &stopped);
}

StatusOr<std::optional<SyncJob>> MountService::ReadJob(const std::string& id) {
  return storage::ReadFirst(engine_,
                            std::string("SELECT ") + kJobColumns + " FROM sync_jobs WHERE id = ?",
                            {id}, JobFromRow);
}

Status MountService::UpdateJob(const std::string& id, const std::string& sql,
                               storage::Params params) {
  params.push_back(id);
  // A job another node failed meanwhile (this one was taken for gone) stays failed.
  return engine_.Write([&](Tx& tx) {
    return tx.Exec(sql + " WHERE id = ? AND status IN ('pending', 'running')", params).status();
  });
}

StatusOr<SyncJob> MountService::SubmitSync(const auth::Identity& caller,
                                           const std::string& mount_point,
                                           const SyncOptions& options,
                                           const std::string& params_json) {
  ASSIGN_OR_RETURN(const std::shared_ptr<const vfs::Mount> mount, MountFor(caller, mount_point));
  RETURN_IF_ERROR(vfs::ServedHere(*mount));  // the job is queued by the node serving the mount
  const std::string id = NewUuid4();
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) {
    return tx
        .Exec(
            "INSERT INTO sync_jobs (id, tenant_id, mount_point, status, progress_pct, "
            "sync_params, created_at, created_by, node_id) "
            "VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?)",
            {id, caller.tenant_id, mount_point, params_json, NowMicros(), caller.user_id,
             node_id().empty() ? storage::Null() : storage::Value(node_id())})
        .status();
  }));
  // Read before queueing: the answer is the job as submitted, whatever the worker does next.
  ASSIGN_OR_RETURN(const std::optional<SyncJob> job, ReadJob(id));
  if (!job) return Internal("sync job " + id + " vanished");
  {
    MutexLock lock(&mu_);
    queue_.emplace_back(id, options);
  }
  cv_.SignalAll();
  return *job;
}

Status MountService::FailJobsOfGoneNodes() {
  if (options_.cluster == nullptr) return Status::OK();
  ASSIGN_OR_RETURN(
      const std::vector<std::string> owners,
      storage::ReadAll(engine_,
                       "SELECT DISTINCT node_id FROM sync_jobs WHERE status IN "
                       "('pending', 'running') AND node_id IS NOT NULL AND node_id <> ?",
                       {node_id()}, FirstColumn));
  for (const std::string& owner : owners) {
    if (!GivenUp(owner, "its sync jobs").ok()) continue;  // alive, or perhaps only paused
    RETURN_IF_ERROR(engine_.Write([&](Tx& tx) {
      return tx
          .Exec(
              "UPDATE sync_jobs SET status = 'failed', completed_at = ?, error_message = ? "
              "WHERE status IN ('pending', 'running') AND node_id = ?",
              {NowMicros(), "The node running the job (" + owner + ") is gone", owner})
          .status();
    }));
  }
  return Status::OK();
}

StatusOr<std::optional<SyncJob>> MountService::GetJob(const auth::Identity& caller,
                                                      const std::string& id) {
  RETURN_IF_ERROR(FailJobsOfGoneNodes());
  ASSIGN_OR_RETURN(std::optional<SyncJob> job, ReadJob(id));
  if (!job) return job;
  const bool visible = caller.is_system || (job->tenant_id == caller.tenant_id &&
                                            (caller.is_admin || job->created_by == caller.user_id));
  if (!visible) return std::optional<SyncJob>();
  return job;
}

StatusOr<CancelOutcome> MountService::CancelJob(const auth::Identity& caller,
                                                const std::string& id) {
  ASSIGN_OR_RETURN(const std::optional<SyncJob> job, GetJob(caller, id));
  if (!job) return CancelOutcome{false, "Job not found"};
  if (job->status != "pending" && job->status != "running")
    return CancelOutcome{false, "Cannot cancel job with status: " + job->status};
  // The node that queued the job runs it; a gone node's job was failed by GetJob.
  RETURN_IF_ERROR(GivenUp(job->node_id, "sync job " + id));
  {
    // A queued job leaves the queue; only the running one needs telling.
    MutexLock lock(&mu_);
    std::erase_if(queue_, [&](const auto& queued) { return queued.first == id; });
    if (running_ == id) cancel_requests_.insert(id);
  }
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) {
    return tx
        .Exec(
            "UPDATE sync_jobs SET status = 'cancelled', completed_at = ?, error_message = ? "
            "WHERE id = ? AND status = 'pending'",
            {NowMicros(), std::string("Cancelled by request"), id})
        .status();
  }));
  return CancelOutcome{true, "Cancellation requested"};
}

StatusOr<std::vector<SyncJob>> MountService::ListJobs(const auth::Identity& caller,
                                                      const std::optional<std::string>& mount_point,
                                                      const std::optional<std::string>& status,
                                                      int64_t limit) {
  if (limit < 1 || limit > 1000)
    return InvalidArgument("limit must be between 1 and 1000, got " + std::to_string(limit));
  RETURN_IF_ERROR(FailJobsOfGoneNodes());
  std::string sql = std::string("SELECT ") + kJobColumns + " FROM sync_jobs WHERE 1 = 1";
  storage::Params params;
  AddScope(caller, "created_by", sql, params);
  AddFilter("mount_point", mount_point, sql, params);
  AddFilter("status", status, sql, params);
  sql += " ORDER BY created_at DESC, id LIMIT ?";
  params.push_back(limit);
  return storage::ReadAll(engine_, sql, params, JobFromRow);
}

Status MountService::RecoverJobsAfterRestart() {
  return engine_.Write([this](Tx& tx) {
    return tx
        .Exec(
            "UPDATE sync_jobs SET status = 'failed', completed_at = ?, error_message = ? "
            "WHERE status IN ('pending', 'running') AND (node_id IS NULL OR node_id = ?)",
            {NowMicros(), std::string("The server stopped before the job finished"), node_id()})
        .status();
  });
}

bool MountService::CancelRequested(const std::string& id) {
  MutexLock lock(&mu_);
  return stopping_ || cancel_requests_.contains(id);
}

void MountService::RunJob(const std::string& id, const SyncOptions& options) {
  // The worker has no caller to answer: a failing status update leaves the row as it was,
  // and the next start marks it failed.
  StatusOr<std::optional<SyncJob>> job = ReadJob(id);
  if (!job.ok() || !*job || (*job)->status != "pending") return;
  std::shared_ptr<const vfs::Mount> mount = table_.Get((*job)->mount_point);
  (void)UpdateJob(id, "UPDATE sync_jobs SET status = 'running', started_at = ?", {NowMicros()});
  bool stopped = false;
  StatusOr<SyncReport> report =
      mount ? Scan(
                  *mount, options, [&] { return CancelRequested(id); }, &stopped)
            : StatusOr<SyncReport>(NotFound("Mount not found: " + (*job)->mount_point));
  if (stopped) {
    (void)UpdateJob(id,
                    "UPDATE sync_jobs SET status = 'cancelled', completed_at = ?, "
                    "error_message = ?",
                    {NowMicros(), std::string("Cancelled by request")});
  } else if (!report.ok()) {
    (void)UpdateJob(id,
                    "UPDATE sync_jobs SET status = 'failed', completed_at = ?, error_message = ?",
                    {NowMicros(), report.status().message()});
  } else {
    (void)UpdateJob(id,
                    "UPDATE sync_jobs SET status = 'completed', progress_pct = 100, "
                    "completed_at = ?, result = ?, progress_detail = ?",
                    {NowMicros(), SyncReportJson(*report),
                     Json{{"files_scanned", report->files_scanned}}.dump()});
  }
}

void MountService::WorkerLoop() {
  for (;;) {
    std::string id;
    SyncOptions options;
    {
      MutexLock lock(&mu_);
      cv_.Wait(&mu_, [this]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      std::tie(id, options) = std::move(queue_.front());
      queue_.pop_front();
      running_ = id;
    }
    if (!RunGuarded("mount_sync", [&] { RunJob(id, options); })) {
      (void)UpdateJob(id,
                      "UPDATE sync_jobs SET status = 'failed', completed_at = ?, error_message = ?",
                      {NowMicros(), std::string("Internal error; see the server log")});
    }
    MutexLock lock(&mu_);
    running_.clear();
    cancel_requests_.erase(id);
  }
}

size_t MountService::OpenCancelRequests() {
  MutexLock lock(&mu_);
  return cancel_requests_.size();
}

void MountService::StartWorker() {
  worker_ = std::thread([this] { WorkerLoop(); });
}

void MountService::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (worker_.joinable()) worker_.join();
}

}  // namespace nexus::services

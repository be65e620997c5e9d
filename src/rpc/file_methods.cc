// The file methods of api.md §6.2 over the path tree.
#include <algorithm>
#include <tuple>

#include "auth/tenant_paths.h"
#include "rpc/access.h"
#include "rpc/file_json.h"
#include "rpc/file_system.h"
#include "rpc/method_table.h"
#include "util/glob.h"
#include "util/path.h"

namespace nexus::rpc {
namespace {

using auth::Present;
using auth::ScopedPath;
using auth::ScopePath;
using P = ParamType;

vfs::Actor ActorOf(const CallContext& ctx) { return vfs::Actor{ctx.caller.user_id}; }

AccessPolicy Policy(const CallContext& ctx) {
  return AccessPolicy(*ctx.services.rebac, ctx.caller);
}

// Normalises `raw`, maps it into the caller's tenant and checks the caller's access to it.
StatusOr<std::string> Authorize(const CallContext& ctx, std::string_view raw, Access access) {
  StatusOr<ScopedPath> path = AuthorizePath(*ctx.services.rebac, ctx.caller, raw, access);
  if (!path.ok()) return path.status();
  return std::move(path->stored);
}

// `info` with its path as the caller should see it.
vfs::FileInfo Presented(const CallContext& ctx, vfs::FileInfo info, bool legacy) {
  info.path = Present(ctx.caller, info.path, legacy);
  return info;
}

// Like Authorize, for the path parameter `name`.
StatusOr<std::string> AuthorizeParam(const Params& p, const CallContext& ctx, const char* name,
                                     Access access) {
  return Authorize(ctx, p.Str(name), access);
}

std::string Quoted(const std::string& etag) { return "\"" + etag + "\""; }

StatusOr<MethodResult> Read(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string path, AuthorizeParam(p, ctx, "path", Access::kRead));
  if (!ctx.if_none_match.empty()) {
    // Answer a revalidation from metadata alone, without fetching the content.
    StatusOr<vfs::FileInfo> info = FileSystem(ctx).Stat(path);
    if (info.ok() && !info->is_directory && info->etag == ctx.if_none_match) {
      MethodResult not_modified;
      not_modified.not_modified = true;
      not_modified.headers = {{"ETag", Quoted(info->etag)}, {"Cache-Control", kCacheRead}};
      return not_modified;
    }
  }
  ASSIGN_OR_RETURN(vfs::FileContent file, FileSystem(ctx).Read(path));
  MethodResult out;
  out.headers.emplace_back("ETag", Quoted(file.info.etag));
  if (p.Bool("return_metadata")) {
    out.result = Json{{"content", BytesValue(std::move(file.content))},
                      {"etag", file.info.etag},
                      {"version", file.info.version},
                      {"modified_at", DateTimeValue(file.info.modified_at)},
                      {"size", file.info.size}};
    if (p.Bool("parsed")) {
      out.result["parsed"] = false;
      out.result["provider"] = nullptr;
    }
  } else {
    out.result = BytesValue(std::move(file.content));
  }
  return out;
}

vfs::WriteOptions WriteOptionsOf(const Params& p) {
  vfs::WriteOptions options;
  options.if_match = p.OptStr("if_match");
  if (options.if_match && options.if_match->empty()) options.if_match.reset();
  options.if_none_match = p.Bool("if_none_match");
  options.force = p.Bool("force");
  return options;
}

StatusOr<MethodResult> Write(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string path, AuthorizeParam(p, ctx, "path", Access::kWrite));
  ASSIGN_OR_RETURN(
      const vfs::FileInfo info,
      FileSystem(ctx).Write(ActorOf(ctx), path, p.Bytes("content"), WriteOptionsOf(p)));
  return MethodResult(Json{{"bytes_written", WriteResultJson(info)}});
}

StatusOr<MethodResult> Append(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string path, AuthorizeParam(p, ctx, "path", Access::kWrite));
  ASSIGN_OR_RETURN(
      const vfs::FileInfo info,
      FileSystem(ctx).Append(ActorOf(ctx), path, p.Bytes("content"), WriteOptionsOf(p)));
  return MethodResult(WriteResultJson(info));
}

StatusOr<MethodResult> Exists(const Params& p, CallContext& ctx) {
  StatusOr<std::string> path = Authorize(ctx, p.Str("path"), Access::kRead);
  if (!path.ok()) return MethodResult(Json{{"exists", false}});
  StatusOr<bool> exists = FileSystem(ctx).Exists(*path);
  if (!exists.ok()) return exists.status();
  return MethodResult(Json{{"exists", *exists}});
}

StatusOr<MethodResult> IsDirectory(const Params& p, CallContext& ctx) {
  StatusOr<std::string> path = Authorize(ctx, p.Str("path"), Access::kRead);
  if (!path.ok()) return MethodResult(Json{{"is_directory", false}});
  StatusOr<bool> is_dir = FileSystem(ctx).IsDirectory(*path);
  return MethodResult(Json{{"is_directory", is_dir.ok() && *is_dir}});
}

StatusOr<MethodResult> GetMetadata(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const ScopedPath scoped, ScopePath(ctx.caller, p.Str("path")));
  RETURN_IF_ERROR(Policy(ctx).Check(scoped.stored, Access::kRead));
  StatusOr<vfs::FileInfo> info = FileSystem(ctx).Stat(scoped.stored);
  if (!info.ok()) {
    if (info.status().code() == Code::kNotFound) return MethodResult(Json{{"metadata", nullptr}});
    return info.status();
  }
  return MethodResult(
      Json{{"metadata", MetadataJson(Presented(ctx, *std::move(info), scoped.legacy))}});
}

StatusOr<MethodResult> GetEtag(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string path, AuthorizeParam(p, ctx, "path", Access::kRead));
  StatusOr<vfs::FileInfo> info = FileSystem(ctx).Stat(path);
  if (!info.ok() || info->is_directory) return MethodResult(Json{{"etag", nullptr}});
  return MethodResult(Json{{"etag", info->etag}});
}

// A directory can be listed when it is visible: readable, or on the way to something readable.
Status CheckListable(const CallContext& ctx, const std::string& dir) {
  AccessPolicy policy = Policy(ctx);
  ASSIGN_OR_RETURN(const std::vector<bool> visible, policy.Visible({dir}));
  return visible[0] ? Status::OK() : policy.Check(dir, Access::kRead);
}

// Keeps the paths of `paths` the caller may see, in order.
StatusOr<std::vector<std::string>> VisiblePaths(const CallContext& ctx,
                                                std::vector<std::string> paths) {
  ASSIGN_OR_RETURN(const std::vector<bool> visible, Policy(ctx).Visible(paths));
  std::vector<std::string> out;
  for (size_t i = 0; i < paths.size(); ++i) {
    if (visible[i]) out.push_back(std::move(paths[i]));
  }
  return out;
}

// Entries of a listing the caller may see, in path order.
struct Listing {
  std::vector<vfs::FileInfo> entries;
  bool has_more = false;  // more visible entries follow the last one
};

// The first `limit` (0: all) of `entries`.
Listing FirstOf(std::vector<vfs::FileInfo> entries, int64_t limit) {
  Listing out;
  out.has_more = limit > 0 && static_cast<int64_t>(entries.size()) > limit;
  if (out.has_more) entries.resize(static_cast<size_t>(limit));
  out.entries = std::move(entries);
  return out;
}

// The entries of `dir` after options.cursor the caller may see, at most options.limit of
// them (0: all); none when `dir` does not exist. Leaving out what the caller may not see
// must not shorten a page or hide that more follow, so pages are read until one more visible
// entry than asked for turns up, or the listing ends.
StatusOr<Listing> VisibleEntries(CallContext& ctx, const std::string& dir,
                                 vfs::ListOptions options) {
  const int64_t limit = options.limit;
  if (limit > 0) ++options.limit;
  AccessPolicy policy = Policy(ctx);
  std::vector<vfs::FileInfo> visible;
  do {
    StatusOr<vfs::ListPage> page = FileSystem(ctx).List(dir, options);
    // Like the reference, a directory that does not exist lists as empty.
    if (!page.ok() && page.status().code() == Code::kNotFound) break;
    RETURN_IF_ERROR(page.status());
    std::vector<std::string> paths;
    for (const vfs::FileInfo& entry : page->entries) paths.push_back(entry.path);
    ASSIGN_OR_RETURN(const std::vector<bool> shown, policy.Visible(paths));
    for (size_t i = 0; i < paths.size(); ++i) {
      if (shown[i]) visible.push_back(std::move(page->entries[i]));
    }
    options.cursor = page->next_cursor;
  } while (!options.cursor.empty() && static_cast<int64_t>(visible.size()) <= limit);
  return FirstOf(std::move(visible), limit);
}

// The root as a tenant sees it: its own tree, its legacy namespaces at the top (non-
// recursive), and the system-wide directories. Made of several listings, it is built whole
// and then paged: entries after `cursor`, at most options.limit (0: all).
StatusOr<Listing> RootEntries(CallContext& ctx, const vfs::ListOptions& options,
                              const std::string& cursor) {
  const std::string tenant_root = auth::TenantRoot(ctx.caller.tenant_id);
  vfs::ListOptions whole = options;
  whole.limit = 0;
  std::vector<vfs::FileInfo> out;
  ASSIGN_OR_RETURN(Listing top, VisibleEntries(ctx, "/", vfs::ListOptions{}));
  for (vfs::FileInfo& entry : top.entries) {
    if (entry.path != tenant_root && !auth::IsSystemWide(entry.path)) continue;
    out.push_back(entry);
    if (!options.recursive) continue;
    ASSIGN_OR_RETURN(Listing below, VisibleEntries(ctx, entry.path, whole));
    out.insert(out.end(), below.entries.begin(), below.entries.end());
  }
  if (!options.recursive) {
    ASSIGN_OR_RETURN(Listing own, VisibleEntries(ctx, tenant_root, whole));
    for (vfs::FileInfo& entry : own.entries) {
      // Homes are reached through /tenant:<t>; the other top-level names appear at the root.
      if (BaseName(entry.path).starts_with("user:")) continue;
      vfs::FileInfo shown = Presented(ctx, entry, /*legacy=*/true);
      if (shown.path != entry.path) out.push_back(std::move(shown));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const vfs::FileInfo& a, const vfs::FileInfo& b) { return a.path < b.path; });
  std::erase_if(out, [&](const vfs::FileInfo& e) { return e.path <= cursor; });
  return FirstOf(std::move(out), options.limit);
}

// The most entries one page of `list` holds.
constexpr int64_t kMaxListLimit = 10000;

StatusOr<MethodResult> List(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const ScopedPath dir, ScopePath(ctx.caller, p.Str("path")));
  RETURN_IF_ERROR(CheckListable(ctx, dir.stored));
  const std::optional<int64_t> limit = p.OptInt("limit");
  if (limit && (*limit < 1 || *limit > kMaxListLimit))
    return InvalidArgument("limit must be 1 to " + std::to_string(kMaxListLimit));
  // The cursor is the last path of the previous page, as that page showed it.
  const std::string cursor = p.Str("cursor");
  vfs::ListOptions options;
  options.recursive = p.Bool("recursive");
  options.prefix = p.Str("prefix");
  options.limit = limit.value_or(0);
  Listing listing;
  if (dir.stored == "/") {
    ASSIGN_OR_RETURN(listing, RootEntries(ctx, options, cursor));
  } else {
    if (!cursor.empty()) {
      ASSIGN_OR_RETURN(const ScopedPath after, ScopePath(ctx.caller, cursor));
      options.cursor = after.stored;
    }
    ASSIGN_OR_RETURN(listing, VisibleEntries(ctx, dir.stored, options));
    for (vfs::FileInfo& entry : listing.entries)
      entry.path = Present(ctx.caller, entry.path, dir.legacy);
  }
  const std::vector<vfs::FileInfo>& entries = listing.entries;
  const bool details = p.Bool("details");
  std::string files = R"({"files":[)";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) files.push_back(',');
    if (details) {
      AppendListEntryWire(entries[i], &files);
    } else {
      AppendWireString(entries[i].path, &files);
    }
  }
  files.push_back(']');
  // With a limit, the paged form of the reference's later versions; without, the legacy one.
  if (limit) {
    files.append(listing.has_more ? R"(,"has_more":true,"next_cursor":)"
                                  : R"(,"has_more":false,"next_cursor":null)");
    if (listing.has_more) AppendWireString(entries.back().path, &files);
  }
  files.push_back('}');
  return MethodResult::Encoded(std::move(files));
}

// An absolute pattern split into its literal leading directory and the rest:
// "/workspace/src/*.py" -> {"/workspace/src", "*.py"}.
std::pair<std::string, std::string> SplitAbsolutePattern(const std::string& pattern) {
  const std::string literal = GlobLiteralPrefix(pattern);
  const size_t slash = literal.rfind('/');
  const std::string dir = slash == 0 || slash == std::string::npos ? "/" : literal.substr(0, slash);
  return {dir, pattern.substr(dir == "/" ? 1 : dir.size() + 1)};
}

StatusOr<MethodResult> Glob(const Params& p, CallContext& ctx) {
  std::string base = p.Str("path");
  std::string pattern = p.Str("pattern");
  // An absolute pattern names its own directory, which maps like any path.
  if (pattern.starts_with("/")) std::tie(base, pattern) = SplitAbsolutePattern(pattern);
  ASSIGN_OR_RETURN(const ScopedPath scoped, ScopePath(ctx.caller, base));
  ASSIGN_OR_RETURN(std::vector<std::string> matches, FileSystem(ctx).Glob(pattern, scoped.stored));
  ASSIGN_OR_RETURN(const std::vector<std::string> visible, VisiblePaths(ctx, std::move(matches)));
  Json out = Json::array();
  for (const std::string& m : visible) out.push_back(Present(ctx.caller, m, scoped.legacy));
  return MethodResult(Json{{"matches", std::move(out)}});
}

StatusOr<MethodResult> Grep(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const ScopedPath scoped, ScopePath(ctx.caller, p.Str("path")));
  const std::string& root = scoped.stored;
  RETURN_IF_ERROR(CheckListable(ctx, root));
  vfs::GrepOptions options;
  options.file_pattern = p.Str("file_pattern");
  options.ignore_case = p.Bool("ignore_case");
  options.max_results = p.Int("max_results");
  // Unreadable files are left out of the grep itself, so they take no place in max_results.
  AccessPolicy policy = Policy(ctx);
  options.include = [&policy](const std::string& path) {
    return policy.Check(path, Access::kRead).ok();
  };
  ASSIGN_OR_RETURN(const std::vector<vfs::GrepMatch> hits,
                   FileSystem(ctx).Grep(p.Str("pattern"), root, options));
  Json out = Json::array();
  for (const vfs::GrepMatch& m : hits) {
    out.push_back(Json{{"file", Present(ctx.caller, m.path, scoped.legacy)},
                       {"line", m.line},
                       {"content", m.content},
                       {"match", m.match}});
  }
  return MethodResult(Json{{"results", std::move(out)}});
}

StatusOr<MethodResult> Mkdir(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string path, AuthorizeParam(p, ctx, "path", Access::kWrite));
  RETURN_IF_ERROR(FileSystem(ctx).Mkdir(ActorOf(ctx), path, p.Bool("parents"), p.Bool("exist_ok")));
  return MethodResult(Json{{"created", true}});
}

StatusOr<MethodResult> Rmdir(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string path, AuthorizeParam(p, ctx, "path", Access::kWrite));
  RETURN_IF_ERROR(FileSystem(ctx).Rmdir(path, p.Bool("recursive")));
  return MethodResult(Json{{"removed", true}});
}

StatusOr<MethodResult> Delete(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string path, AuthorizeParam(p, ctx, "path", Access::kWrite));
  RETURN_IF_ERROR(FileSystem(ctx).Delete(path));
  return MethodResult(Json{{"deleted", true}});
}

StatusOr<MethodResult> Rename(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string from, AuthorizeParam(p, ctx, "old_path", Access::kWrite));
  ASSIGN_OR_RETURN(const std::string to, AuthorizeParam(p, ctx, "new_path", Access::kWrite));
  RETURN_IF_ERROR(FileSystem(ctx).Rename(from, to));
  return MethodResult(Json{{"renamed", true}});
}

// A file is deleted, a directory removed (with `recursive`, whatever it holds).
Status DeleteOne(CallContext& ctx, const std::string& raw, bool recursive) {
  ASSIGN_OR_RETURN(const std::string path, Authorize(ctx, raw, Access::kWrite));
  ASSIGN_OR_RETURN(const bool is_dir, FileSystem(ctx).IsDirectory(path));
  return is_dir ? FileSystem(ctx).Rmdir(path, recursive) : FileSystem(ctx).Delete(path);
}

Json Outcome(const Status& s) {
  return s.ok() ? Json{{"success", true}} : Json{{"success", false}, {"error", s.message()}};
}

StatusOr<MethodResult> DeleteBulk(const Params& p, CallContext& ctx) {
  Json out = Json::object();
  for (const std::string& path : p.StrList("paths"))
    out[path] = Outcome(DeleteOne(ctx, path, p.Bool("recursive")));
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> RenameBulk(const Params& p, CallContext& ctx) {
  Json out = Json::object();
  for (const Json& pair : p.Raw("renames")) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      return InvalidArgument("renames must be a list of [old_path, new_path] pairs");
    }
    const std::string from = pair[0].get<std::string>();
    const std::string to = pair[1].get<std::string>();
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(const std::string a, Authorize(ctx, from, Access::kWrite));
      ASSIGN_OR_RETURN(const std::string b, Authorize(ctx, to, Access::kWrite));
      return FileSystem(ctx).Rename(a, b);
    }();
    out[from] = Outcome(s);
    if (s.ok()) out[from]["new_path"] = to;
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> Stat(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string path, AuthorizeParam(p, ctx, "path", Access::kRead));
  ASSIGN_OR_RETURN(const vfs::FileInfo info, FileSystem(ctx).Stat(path));
  if (info.is_directory) {
    return MethodResult(Json{{"size", 0},
                             {"etag", nullptr},
                             {"version", nullptr},
                             {"modified_at", nullptr},
                             {"is_directory", true}});
  }
  return MethodResult(Json{{"size", info.size},
                           {"etag", info.etag},
                           {"version", info.version},
                           {"modified_at", DateTimeValue(info.modified_at)},
                           {"is_directory", false}});
}

StatusOr<MethodResult> ReadRange(const Params& p, CallContext& ctx) {
  const int64_t start = p.Int("start"), end = p.Int("end");
  if (start < 0 || end < start)
    return InvalidArgument("need 0 <= start <= end, got start=" + std::to_string(start) +
                           " end=" + std::to_string(end));
  ASSIGN_OR_RETURN(const std::string path, AuthorizeParam(p, ctx, "path", Access::kRead));
  ASSIGN_OR_RETURN(vfs::FileContent file, FileSystem(ctx).Read(path));
  const size_t from = std::min(static_cast<size_t>(start), file.content.size());
  const size_t to = std::min(static_cast<size_t>(end), file.content.size());
  return MethodResult(BytesValue(file.content.substr(from, to - from)));
}

StatusOr<Json> ReadOne(CallContext& ctx, const std::string& raw, bool with_metadata) {
  ASSIGN_OR_RETURN(const std::string path, Authorize(ctx, raw, Access::kRead));
  ASSIGN_OR_RETURN(vfs::FileContent file, FileSystem(ctx).Read(path));
  if (!with_metadata) return BytesValue(std::move(file.content));
  return Json{{"content", BytesValue(std::move(file.content))},
              {"etag", file.info.etag},
              {"version", file.info.version},
              {"modified_at", DateTimeValue(file.info.modified_at)},
              {"size", file.info.size}};
}

StatusOr<MethodResult> ReadBulk(const Params& p, CallContext& ctx) {
  Json out = Json::object();
  for (const std::string& path : p.StrList("paths")) {
    StatusOr<Json> one = ReadOne(ctx, path, p.Bool("return_metadata"));
    if (!one.ok() && !p.Bool("skip_errors")) return one.status();
    out[path] = one.ok() ? std::move(one).value() : Json(nullptr);
  }
  return MethodResult(std::move(out));
}

// Checks every entry before writing any, so a malformed or forbidden entry writes nothing.
StatusOr<std::vector<std::pair<std::string, std::string>>> BatchEntries(const Params& p,
                                                                        const CallContext& ctx) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const Json& entry : p.Raw("files")) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() ||
        !(entry[1].is_binary() || entry[1].is_string())) {
      return InvalidArgument("files must be a list of [path, content] pairs");
    }
    ASSIGN_OR_RETURN(std::string path, Authorize(ctx, entry[0].get<std::string>(), Access::kWrite));
    std::string content = entry[1].is_string() ? entry[1].get<std::string>()
                                               : std::string(entry[1].get_binary().begin(),
                                                             entry[1].get_binary().end());
    entries.emplace_back(std::move(path), std::move(content));
  }
  return entries;
}

StatusOr<MethodResult> WriteBatch(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const auto entries, BatchEntries(p, ctx));
  Json out = Json::array();
  for (const auto& [path, content] : entries) {
    ASSIGN_OR_RETURN(const vfs::FileInfo info, FileSystem(ctx).Write(ActorOf(ctx), path, content));
    out.push_back(WriteResultJson(info));
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> Copy(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string src, AuthorizeParam(p, ctx, "src_path", Access::kRead));
  ASSIGN_OR_RETURN(const std::string dst, AuthorizeParam(p, ctx, "dst_path", Access::kWrite));
  RETURN_IF_ERROR(FileSystem(ctx).Copy(ActorOf(ctx), src, dst).status());
  return MethodResult(Json{{"copied", true}});
}

StatusOr<MethodResult> Namespaces(const Params&, CallContext& ctx) {
  std::vector<std::string> names = {"archives", "external", "shared", "workspace"};
  if (ctx.caller.is_admin) names.push_back("system");
  std::sort(names.begin(), names.end());
  return MethodResult(Json{{"namespaces", names}});
}

}  // namespace

void AddFileMethods(MethodTable& t) {
  const auto path = Required("path", P::kString);
  t.Add({"read",
         {path, Optional("return_metadata", P::kBool, false), Optional("parsed", P::kBool, false),
          Optional("return_url", P::kBool, false), Optional("expires_in", P::kInt, 3600)},
         Read,
         kCacheRead});
  t.Add({"write",
         {path, Required("content", P::kBytes), Optional("if_match", P::kString),
          Optional("if_none_match", P::kBool, false), Optional("force", P::kBool, false)},
         Write,
         kCacheNoStore});
  t.Add({"append",
         {path, Required("content", P::kBytes), Optional("if_match", P::kString),
          Optional("force", P::kBool, false)},
         Append,
         kCacheDefault});
  t.Add({"exists", {path}, Exists, kCacheRead});
  t.Add({"is_directory", {path}, IsDirectory, kCacheRead});
  t.Add({"get_metadata", {path}, GetMetadata, kCacheRead});
  t.Add({"get_etag", {path}, GetEtag, kCacheDefault});
  t.Add({"list",
         {Optional("path", P::kString, "/"), Optional("recursive", P::kBool, true),
          Optional("details", P::kBool, false), Optional("prefix", P::kString),
          Optional("show_parsed", P::kBool, true), Optional("limit", P::kInt),
          Optional("cursor", P::kString)},
         List,
         kCacheList});
  t.Add({"glob",
         {Required("pattern", P::kString), Optional("path", P::kString, "/")},
         Glob,
         kCacheList});
  t.Add({"grep",
         {Required("pattern", P::kString), Optional("path", P::kString, "/"),
          Optional("file_pattern", P::kString), Optional("ignore_case", P::kBool, false),
          Optional("max_results", P::kInt, 100), Optional("search_mode", P::kString, "auto")},
         Grep,
         kCacheDefault});
  t.Add({"mkdir",
         {path, Optional("parents", P::kBool, false), Optional("exist_ok", P::kBool, false)},
         Mkdir,
         kCacheNoStore});
  t.Add({"rmdir", {path, Optional("recursive", P::kBool, false)}, Rmdir, kCacheNoStore});
  t.Add({"delete", {path}, Delete, kCacheNoStore});
  t.Add({"rename",
         {Required("old_path", P::kString), Required("new_path", P::kString)},
         Rename,
         kCacheNoStore});
  t.Add({"delete_bulk",
         {Required("paths", P::kStringList), Optional("recursive", P::kBool, false)},
         DeleteBulk,
         kCacheDefault});
  t.Add({"rename_bulk", {Required("renames", P::kArray)}, RenameBulk, kCacheDefault});
  t.Add({"get_available_namespaces", {}, Namespaces, kCacheDefault});
  t.Add({"stat", {path}, Stat, kCacheRead});
  t.Add({"read_range",
         {path, Required("start", P::kInt), Required("end", P::kInt)},
         ReadRange,
         kCacheRead});
  t.Add({"read_bulk",
         {Required("paths", P::kStringList), Optional("return_metadata", P::kBool, false),
          Optional("skip_errors", P::kBool, true)},
         ReadBulk,
         kCacheRead});
  t.Add({"write_batch", {Required("files", P::kArray)}, WriteBatch, kCacheNoStore});
  t.Add({"copy",
         {Required("src_path", P::kString), Required("dst_path", P::kString)},
         Copy,
         kCacheNoStore});
}

}  // namespace nexus::rpc

// The file methods of api.md §6.2 over the path tree.
#include <algorithm>

#include "rpc/file_json.h"
#include "rpc/method_table.h"
#include "vfs/write_conditions.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

std::string Quoted(const std::string& etag) { return "\"" + etag + "\""; }

// {content, etag, version, modified_at: dt, size}: a read with return_metadata.
Json ContentWithMetadata(vfs::FileContent file) {
  return Json{{"content", BytesValue(std::move(file.content))},
              {"etag", file.info.etag},
              {"version", file.info.version},
              {"modified_at", DateTimeValue(file.info.modified_at)},
              {"size", file.info.size}};
}

StatusOr<MethodResult> Read(const Params& p, CallContext& ctx) {
  if (!ctx.if_none_match.empty()) {
    // Answer a revalidation from metadata alone, without fetching the content.
    StatusOr<vfs::FileInfo> info = ctx.session.Stat(p.Str("path"));
    if (info.ok() && !info->is_directory && info->etag == ctx.if_none_match) {
      MethodResult not_modified;
      not_modified.not_modified = true;
      not_modified.headers = {{"ETag", Quoted(info->etag)}, {"Cache-Control", kCacheRead}};
      return not_modified;
    }
  }
  ASSIGN_OR_RETURN(vfs::FileContent file, ctx.session.Read(p.Str("path")));
  MethodResult out;
  out.headers.emplace_back("ETag", Quoted(file.info.etag));
  if (p.Bool("return_metadata")) {
    out.result = ContentWithMetadata(std::move(file));
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
  ASSIGN_OR_RETURN(const vfs::FileInfo info,
                   ctx.session.Write(p.Str("path"), p.Bytes("content"), WriteOptionsOf(p)));
  return MethodResult(Json{{"bytes_written", WriteResultJson(info)}});
}

StatusOr<MethodResult> Append(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const vfs::FileInfo info,
                   ctx.session.Append(p.Str("path"), p.Bytes("content"), WriteOptionsOf(p)));
  return MethodResult(WriteResultJson(info));
}

StatusOr<MethodResult> Exists(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const bool exists, ctx.session.Exists(p.Str("path")));
  return MethodResult(Json{{"exists", exists}});
}

StatusOr<MethodResult> IsDirectory(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const bool is_directory, ctx.session.IsDirectory(p.Str("path")));
  return MethodResult(Json{{"is_directory", is_directory}});
}

StatusOr<MethodResult> GetMetadata(const Params& p, CallContext& ctx) {
  StatusOr<vfs::FileInfo> info = ctx.session.Stat(p.Str("path"));
  if (info.status().code() == Code::kNotFound) return MethodResult(Json{{"metadata", nullptr}});
  RETURN_IF_ERROR(info.status());
  return MethodResult(Json{{"metadata", MetadataJson(*info)}});
}

StatusOr<MethodResult> GetEtag(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::optional<std::string> etag, ctx.session.Etag(p.Str("path")));
  return MethodResult(Json{{"etag", etag ? Json(*etag) : Json(nullptr)}});
}

StatusOr<MethodResult> List(const Params& p, CallContext& ctx) {
  session::ListRequest request;
  request.recursive = p.Bool("recursive");
  request.prefix = p.Str("prefix");
  request.limit = p.OptInt("limit");
  request.cursor = p.Str("cursor");
  ASSIGN_OR_RETURN(const session::Listing listing, ctx.session.List(p.Str("path"), request));
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
  if (request.limit) {
    files.append(listing.has_more ? R"(,"has_more":true,"next_cursor":)"
                                  : R"(,"has_more":false,"next_cursor":null)");
    if (listing.has_more) AppendWireString(entries.back().path, &files);
  }
  files.push_back('}');
  return MethodResult::Encoded(std::move(files));
}

StatusOr<MethodResult> Glob(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::vector<std::string> matches,
                   ctx.session.Glob(p.Str("pattern"), p.Str("path")));
  return MethodResult(Json{{"matches", matches}});
}

StatusOr<MethodResult> Grep(const Params& p, CallContext& ctx) {
  vfs::GrepOptions options;
  options.file_pattern = p.Str("file_pattern");
  options.ignore_case = p.Bool("ignore_case");
  options.max_results = p.Int("max_results");
  ASSIGN_OR_RETURN(const std::vector<vfs::GrepMatch> hits,
                   ctx.session.Grep(p.Str("pattern"), p.Str("path"), std::move(options)));
  Json out = Json::array();
  for (const vfs::GrepMatch& m : hits) {
    out.push_back(
        Json{{"file", m.path}, {"line", m.line}, {"content", m.content}, {"match", m.match}});
  }
  return MethodResult(Json{{"results", std::move(out)}});
}

StatusOr<MethodResult> Mkdir(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(ctx.session.Mkdir(p.Str("path"), p.Bool("parents"), p.Bool("exist_ok")));
  return MethodResult(Json{{"created", true}});
}

StatusOr<MethodResult> Rmdir(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(ctx.session.Rmdir(p.Str("path"), p.Bool("recursive")));
  return MethodResult(Json{{"removed", true}});
}

StatusOr<MethodResult> Delete(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(ctx.session.Delete(p.Str("path")));
  return MethodResult(Json{{"deleted", true}});
}

StatusOr<MethodResult> Rename(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(ctx.session.Rename(p.Str("old_path"), p.Str("new_path")));
  return MethodResult(Json{{"renamed", true}});
}

Json Outcome(const Status& s) {
  return s.ok() ? Json{{"success", true}} : Json{{"success", false}, {"error", s.message()}};
}

StatusOr<MethodResult> DeleteBulk(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(ctx.session.CheckServedHere(p.StrList("paths")));
  Json out = Json::object();
  for (const std::string& path : p.StrList("paths"))
    out[path] = Outcome(ctx.session.Remove(path, p.Bool("recursive")));
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> RenameBulk(const Params& p, CallContext& ctx) {
  std::vector<std::pair<std::string, std::string>> renames;
  std::vector<std::string> paths;
  for (const Json& pair : p.Raw("renames")) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      return InvalidArgument("renames must be a list of [old_path, new_path] pairs");
    }
    renames.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    paths.push_back(renames.back().first);
    paths.push_back(renames.back().second);
  }
  RETURN_IF_ERROR(ctx.session.CheckServedHere(paths));
  Json out = Json::object();
  for (const auto& [from, to] : renames) {
    const Status s = ctx.session.Rename(from, to);
    out[from] = Outcome(s);
    if (s.ok()) out[from]["new_path"] = to;
  }
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> Stat(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const vfs::FileInfo info, ctx.session.Stat(p.Str("path")));
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
  // One byte more than a call may return tells a range that is too long from one that ends
  // at the file's end, without a separate stat.
  const int64_t length = std::min(end - start, vfs::kMaxWholeRead + 1);
  ASSIGN_OR_RETURN(vfs::FileContent file, ctx.session.ReadRange(p.Str("path"), start, length));
  // Ours: ranges of one version only, for a reader that reads a large file in several calls.
  vfs::WriteOptions same_version;
  same_version.if_match = p.OptStr("if_match");
  RETURN_IF_ERROR(vfs::CheckWriteConditions(file.info.path, file.info.etag, same_version));
  if (static_cast<int64_t>(file.content.size()) > vfs::kMaxWholeRead)
    return Status(Code::kValidation, "a range of more than " + std::to_string(vfs::kMaxWholeRead) +
                                         " bytes: read it in smaller ranges");
  return MethodResult(BytesValue(std::move(file.content)));
}

StatusOr<Json> ReadOne(CallContext& ctx, const std::string& raw, bool with_metadata) {
  ASSIGN_OR_RETURN(vfs::FileContent file, ctx.session.Read(raw));
  if (!with_metadata) return BytesValue(std::move(file.content));
  return ContentWithMetadata(std::move(file));
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

// The (path, content) pairs of `files`, in order.
StatusOr<std::vector<std::pair<std::string, std::string>>> BatchEntries(const Params& p) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const Json& entry : p.Raw("files")) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() ||
        !(entry[1].is_binary() || entry[1].is_string())) {
      return InvalidArgument("files must be a list of [path, content] pairs");
    }
    std::string content = entry[1].is_string() ? entry[1].get<std::string>()
                                               : std::string(entry[1].get_binary().begin(),
                                                             entry[1].get_binary().end());
    entries.emplace_back(entry[0].get<std::string>(), std::move(content));
  }
  return entries;
}

StatusOr<MethodResult> WriteBatch(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const auto entries, BatchEntries(p));
  ASSIGN_OR_RETURN(const std::vector<vfs::FileInfo> written, ctx.session.WriteBatch(entries));
  Json out = Json::array();
  for (const vfs::FileInfo& info : written) out.push_back(WriteResultJson(info));
  return MethodResult(std::move(out));
}

StatusOr<MethodResult> Copy(const Params& p, CallContext& ctx) {
  RETURN_IF_ERROR(ctx.session.Copy(p.Str("src_path"), p.Str("dst_path")));
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
         {path, Required("start", P::kInt), Required("end", P::kInt),
          Optional("if_match", P::kString)},
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

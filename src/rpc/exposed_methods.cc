// Methods the reference exposed without making them callable (api.md §6.1) and the Python
// client wraps: metadata export and import, content ids, streaming reads and writes, search,
// and shutdown_parser_threads. docs/compatibility.md ("Exposed methods") gives their shapes.
#include "rpc/file_json.h"
#include "rpc/method_table.h"
#include "services/metadata_transfer.h"
#include "util/path.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

// ---- export_metadata / import_metadata

// The directory export_metadata exports: `path`, or the deprecated `prefix` or
// filter.path_prefix of the Python client when given instead.
StatusOr<std::string> ExportDir(const Params& p) {
  if (p.Has("filter")) {
    const Json& filter = p.Raw("filter");
    for (const auto& [key, value] : filter.items()) {
      if (key != "path_prefix" || !value.is_string())
        return InvalidArgument("filter supports only path_prefix (a string), got '" + key + "'");
    }
    if (filter.contains("path_prefix")) return filter["path_prefix"].get<std::string>();
  }
  if (!p.Str("prefix").empty()) return p.Str("prefix");
  return p.Str("path");
}

StatusOr<MethodResult> ExportMetadata(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string dir, ExportDir(p));
  ASSIGN_OR_RETURN(const auth::ScopedPath scoped, auth::ScopePath(ctx.caller, dir));
  session::PolicySkillAccess access = ctx.session.SkillAccess();
  // A single file is exported under its own name. The stat is the session's, so a path the
  // caller may not read is not told apart from a directory.
  StatusOr<vfs::FileInfo> info = ctx.session.Stat(dir);
  const bool file = info.ok() && !info->is_directory;
  const std::string base = file ? std::string(ParentPath(scoped.stored)) : scoped.stored;
  ASSIGN_OR_RETURN(
      const std::vector<services::MetadataLine> lines,
      ctx.services.metadata->Export(ctx.session.WalkRoots(scoped.stored), base, access));
  const std::string text = services::FormatMetadataLines(lines);
  Json out{{"data", text}, {"count", lines.size()}};
  if (p.Has("output_path")) {
    RETURN_IF_ERROR(ctx.session.Write(p.Str("output_path"), text).status());
    out["output_path"] = p.Str("output_path");
  }
  return MethodResult(std::move(out));
}

// The conflict mode: `conflict` when given, else the Python client's two flags.
StatusOr<services::ConflictMode> ConflictOf(const Params& p) {
  if (p.Has("conflict")) return services::ParseConflictMode(p.Str("conflict"));
  if (p.Bool("overwrite")) return services::ConflictMode::kOverwrite;
  return p.Bool("skip_existing") ? services::ConflictMode::kSkip : services::ConflictMode::kFail;
}

// The JSONL an import reads: `data`, or the tree file `input_path`.
StatusOr<std::string> ImportText(const Params& p, CallContext& ctx) {
  if (p.Has("data") == p.Has("input_path"))
    return InvalidArgument("give exactly one of data and input_path");
  if (p.Has("data")) return p.Str("data");
  ASSIGN_OR_RETURN(vfs::FileContent file, ctx.session.Read(p.Str("input_path")));
  return std::move(file.content);
}

StatusOr<MethodResult> ImportMetadata(const Params& p, CallContext& ctx) {
  if (p.Has("options")) return InvalidArgument("options is not supported; use conflict, dry_run");
  ASSIGN_OR_RETURN(const services::ConflictMode mode, ConflictOf(p));
  ASSIGN_OR_RETURN(const auth::ScopedPath dest, auth::ScopePath(ctx.caller, p.Str("path")));
  ASSIGN_OR_RETURN(const std::string text, ImportText(p, ctx));
  ASSIGN_OR_RETURN(const std::vector<services::NumberedLine> lines,
                   services::ParseMetadataLines(text));
  std::vector<services::ImportItem> items;
  for (const services::NumberedLine& l : lines) {
    StatusOr<auth::ScopedPath> target =
        auth::ScopePath(ctx.caller, JoinPath(dest.stored, l.line.path));
    if (!target.ok())
      return Status(Code::kValidation,
                    "line " + std::to_string(l.number) + ": " + target.status().message());
    items.push_back(services::ImportItem{l.number, target->stored, l.line});
  }
  session::PolicySkillAccess access = ctx.session.SkillAccess();
  ASSIGN_OR_RETURN(
      const services::ImportResult r,
      ctx.services.metadata->Import(vfs::Actor{ctx.caller.user_id}, items,
                                    ctx.session.WalkRoots("/"), mode, p.Bool("dry_run"), access));
  return MethodResult(Json{{"total", r.total},
                           {"created", r.created},
                           {"updated", r.updated},
                           {"skipped", r.skipped},
                           {"dry_run", p.Bool("dry_run")}});
}

// ---- batch_get_content_ids

// The content hash of file `raw`, or null when it is missing, a directory or not readable:
// the answer never tells those apart.
Json ContentId(CallContext& ctx, const std::string& raw) {
  StatusOr<std::optional<std::string>> etag = ctx.session.Etag(raw);
  if (!etag.ok() || !*etag || (*etag)->empty()) return nullptr;
  return **etag;
}

StatusOr<MethodResult> BatchGetContentIds(const Params& p, CallContext& ctx) {
  const std::vector<std::string> paths = p.StrList("paths");
  if (paths.size() > 10000) return InvalidArgument("at most 10000 paths per call");
  Json out = Json::object();
  for (const std::string& path : paths) out[path] = ContentId(ctx, path);
  return MethodResult(std::move(out));
}

// ---- stream / write_stream

constexpr int64_t kMaxChunkSize = 64 << 20;
// Each chunk is a JSON value of its own: chunk_size=1 on a large file would build millions.
constexpr size_t kMaxChunks = 10000;

StatusOr<MethodResult> Stream(const Params& p, CallContext& ctx) {
  const int64_t chunk = p.Int("chunk_size");
  if (chunk < 1 || chunk > kMaxChunkSize)
    return InvalidArgument("chunk_size must be 1 to " + std::to_string(kMaxChunkSize));
  ASSIGN_OR_RETURN(const vfs::FileContent file, ctx.session.Read(p.Str("path")));
  const size_t size = file.content.size();
  const size_t step = static_cast<size_t>(chunk);
  if ((size + step - 1) / step > kMaxChunks)
    return InvalidArgument("stream answers at most " + std::to_string(kMaxChunks) +
                           " chunks; this file needs a chunk_size of at least " +
                           std::to_string((size + kMaxChunks - 1) / kMaxChunks));
  Json chunks = Json::array();
  for (size_t at = 0; at < size; at += step)
    chunks.push_back(BytesValue(file.content.substr(at, step)));
  return MethodResult(std::move(chunks));
}

// `chunks`: bytes (the Python client joins them), or a list of bytes or strings.
StatusOr<std::string> Joined(const Json& chunks) {
  const auto piece = [](const Json& c) -> std::optional<std::string> {
    if (c.is_string()) return c.get<std::string>();
    if (c.is_binary()) return std::string(c.get_binary().begin(), c.get_binary().end());
    return std::nullopt;
  };
  if (std::optional<std::string> whole = piece(chunks)) return *whole;
  if (!chunks.is_array()) return InvalidArgument("chunks must be bytes or a list of bytes");
  std::string out;
  for (const Json& c : chunks) {
    std::optional<std::string> part = piece(c);
    if (!part) return InvalidArgument("chunks must be bytes or a list of bytes");
    out += *part;
  }
  return out;
}

StatusOr<MethodResult> WriteStream(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::string content, Joined(p.Raw("chunks")));
  ASSIGN_OR_RETURN(const vfs::FileInfo info, ctx.session.Write(p.Str("path"), content));
  return MethodResult(WriteResultJson(info));
}

// ---- search

StatusOr<MethodResult> Search(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(const std::vector<session::SearchHit> hits,
                   ctx.session.Search(p.Str("query"), p.Str("path"), p.Int("limit")));
  Json out = Json::array();
  for (const session::SearchHit& h : hits) {
    out.push_back(Json{{"path", h.path},
                       {"match", h.in_content ? "content" : "name"},
                       {"line", h.in_content ? Json(h.line) : Json(nullptr)},
                       {"content", h.in_content ? Json(h.content) : Json(nullptr)}});
  }
  return MethodResult(Json{{"results", std::move(out)}});
}

// There are no parser threads: documents are not parsed (docs/compatibility.md).
StatusOr<MethodResult> ShutdownParserThreads(const Params&, CallContext&) {
  return MethodResult(Json{{"success", true}});
}

}  // namespace

void AddExposedMethods(MethodTable& t) {
  const auto path = Required("path", P::kString);
  t.Add({"export_metadata",
         {Optional("path", P::kString, "/"), Optional("prefix", P::kString, ""),
          Optional("filter", P::kObject), Optional("output_path", P::kString)},
         ExportMetadata,
         kCacheDefault});
  t.Add({"import_metadata",
         {Optional("data", P::kString), Optional("input_path", P::kString),
          Optional("path", P::kString, "/"), Optional("conflict", P::kString),
          Optional("overwrite", P::kBool, false), Optional("skip_existing", P::kBool, true),
          Optional("dry_run", P::kBool, false), Optional("options", P::kObject)},
         ImportMetadata,
         kCacheNoStore});
  t.Add({"batch_get_content_ids",
         {Required("paths", P::kStringList)},
         BatchGetContentIds,
         kCacheDefault});
  t.Add({"stream", {path, Optional("chunk_size", P::kInt, 8192)}, Stream, kCacheRead});
  t.Add({"write_stream", {path, Required("chunks", P::kAny)}, WriteStream, kCacheNoStore});
  t.Add({"search",
         {Required("query", P::kString), Optional("path", P::kString, "/"),
          Optional("limit", P::kInt, 100)},
         Search,
         kCacheList});
  t.Add({"shutdown_parser_threads", {}, ShutdownParserThreads, kCacheDefault});
}

}  // namespace nexus::rpc

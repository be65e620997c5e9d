// The file tools of spec/mcp.md over read, write, delete, list, get_metadata, mkdir, rmdir,
// rename, glob, grep and semantic_search.
#include <algorithm>

#include "rpc/mcp/tools.h"
#include "session/session.h"
#include "util/utf8.h"

namespace nexus::rpc::mcp {
namespace {

using P = ParamType;

// More text than this in one answer is cut, with a note saying how to read on: a model's
// context is the scarce resource, and a file of any size can be read in pieces.
constexpr int64_t kMaxReadText = 1 << 20;

ToolParam PathParam(const char* what) { return {Required("path", P::kString), what}; }
ToolParam Limit(int64_t value) {
  return {Optional("limit", P::kInt, value), "How many items to return at most (1 to 1000)."};
}
ToolParam Offset() { return {Optional("offset", P::kInt, 0), "How many items to skip."}; }
ToolParam Format() {
  return {Optional("response_format", P::kString, "json"), "\"json\" or \"markdown\"."};
}

constexpr ToolHints kReader{.read_only = true, .destructive = false, .idempotent = true};

StatusOr<std::string> FormatOf(const Params& p) {
  std::string format = p.Str("response_format");
  if (format != "json" && format != "markdown")
    return InvalidArgument("response_format must be \"json\" or \"markdown\", got \"" + format +
                           "\"");
  return format;
}

// The items of `all` from `offset`, at most `limit` of them.
Json Slice(const Json& all, int64_t offset, int64_t limit) {
  Json page = Json::array();
  const auto size = static_cast<int64_t>(all.size());
  for (int64_t i = offset; i < size && i < offset + limit; ++i) page.push_back(all[i]);
  return page;
}

std::string BytesOf(const Json& content) {
  const auto& bytes = content.get_binary();
  return std::string(bytes.begin(), bytes.end());
}

StatusOr<ToolOutput> ReadFile(const Params& p, const MethodCaller& c) {
  const std::string path = p.Str("path");
  const int64_t offset = p.Int("offset");
  RETURN_IF_ERROR(CheckPage(1, offset));
  std::optional<int64_t> length = p.OptInt("length");
  if (length && *length < 0) return InvalidArgument("length must not be negative");
  std::string content;
  std::optional<int64_t> total;  // the file's size, when the whole file was read
  if (offset == 0 && !length) {
    ASSIGN_OR_RETURN(const Json read, c.Call("read", Json{{"path", path}}));
    content = BytesOf(read);
    total = static_cast<int64_t>(content.size());
  } else {
    const int64_t window = std::min(length.value_or(kMaxReadText), kMaxReadText);
    ASSIGN_OR_RETURN(
        const Json read,
        c.Call("read_range", Json{{"path", path}, {"start", offset}, {"end", offset + window}}));
    content = BytesOf(read);
  }
  const std::string_view shown = Utf8Prefix(content, kMaxReadText);
  std::string text = ToValidUtf8(shown);
  const int64_t next = offset + static_cast<int64_t>(shown.size());
  if (shown.size() < content.size()) {
    text += "\n\n[Truncated: bytes " + std::to_string(offset) + " to " + std::to_string(next) +
            (total ? " of " + std::to_string(*total) : std::string()) +
            " shown. Call nexus_read_file with offset=" + std::to_string(next) + " to read on.]";
  }
  return TextOutput(std::move(text));
}

StatusOr<ToolOutput> WriteFile(const Params& p, const MethodCaller& c) {
  const std::string path = p.Str("path");
  const std::string content = p.Str("content");
  RETURN_IF_ERROR(c.Call("write", Json{{"path", path}, {"content", content}}).status());
  return TextOutput("Successfully wrote " + std::to_string(content.size()) + " bytes to " + path);
}

StatusOr<ToolOutput> DeleteFile(const Params& p, const MethodCaller& c) {
  RETURN_IF_ERROR(c.Call("delete", Json{{"path", p.Str("path")}}).status());
  return TextOutput("Successfully deleted " + p.Str("path"));
}

// Pages through the listing with its cursor up to the offset, so any offset works whatever
// the listing's own page limit.
StatusOr<ToolOutput> ListFiles(const Params& p, const MethodCaller& c) {
  const int64_t limit = p.Int("limit"), offset = p.Int("offset");
  RETURN_IF_ERROR(CheckPage(limit, offset));
  ASSIGN_OR_RETURN(const std::string format, FormatOf(p));
  Json page = Json::array();
  int64_t seen = 0;
  bool more = true;
  std::string cursor;
  while (more && static_cast<int64_t>(page.size()) < limit) {
    Json params{{"path", p.Str("path")},
                {"recursive", p.Bool("recursive")},
                {"details", p.Bool("details")},
                {"limit", std::min(session::kMaxListLimit, offset + limit - seen)}};
    if (!cursor.empty()) params["cursor"] = cursor;
    ASSIGN_OR_RETURN(const Json listed, c.Call("list", std::move(params)));
    for (const Json& file : listed["files"]) {
      if (seen++ >= offset) page.push_back(file);
    }
    more = listed["has_more"].get<bool>();
    if (more) cursor = listed["next_cursor"].get<std::string>();
  }
  return Paged(std::move(page), more ? std::nullopt : std::optional<int64_t>(seen), offset, more,
               format);
}

StatusOr<ToolOutput> FileInfo(const Params& p, const MethodCaller& c) {
  const std::string path = p.Str("path");
  ASSIGN_OR_RETURN(const Json found, c.Call("get_metadata", Json{{"path", path}}));
  const Json& metadata = found["metadata"];
  Json info{{"path", path}, {"exists", !metadata.is_null()}, {"is_directory", false}};
  if (!metadata.is_null()) {
    info["is_directory"] = metadata["is_directory"];
    if (!metadata["is_directory"].get<bool>()) info["size"] = metadata["size"];
  }
  return JsonOutput(std::move(info));
}

StatusOr<ToolOutput> Mkdir(const Params& p, const MethodCaller& c) {
  const std::string path = p.Str("path");
  ASSIGN_OR_RETURN(const Json is_dir, c.Call("is_directory", Json{{"path", path}}));
  if (is_dir["is_directory"].get<bool>())
    return TextOutput("Directory already exists at '" + path + "'.");
  RETURN_IF_ERROR(
      c.Call("mkdir", Json{{"path", path}, {"parents", true}, {"exist_ok", true}}).status());
  return TextOutput("Successfully created directory " + path);
}

StatusOr<ToolOutput> Rmdir(const Params& p, const MethodCaller& c) {
  RETURN_IF_ERROR(
      c.Call("rmdir", Json{{"path", p.Str("path")}, {"recursive", p.Bool("recursive")}}).status());
  return TextOutput("Successfully removed directory " + p.Str("path"));
}

StatusOr<ToolOutput> Rename(const Params& p, const MethodCaller& c) {
  const std::string from = p.Str("old_path"), to = p.Str("new_path");
  RETURN_IF_ERROR(c.Call("rename", Json{{"old_path", from}, {"new_path", to}}).status());
  return TextOutput("Successfully renamed " + from + " to " + to);
}

StatusOr<ToolOutput> Glob(const Params& p, const MethodCaller& c) {
  const int64_t limit = p.Int("limit"), offset = p.Int("offset");
  RETURN_IF_ERROR(CheckPage(limit, offset));
  ASSIGN_OR_RETURN(const std::string format, FormatOf(p));
  ASSIGN_OR_RETURN(const Json found,
                   c.Call("glob", Json{{"pattern", p.Str("pattern")}, {"path", p.Str("path")}}));
  const Json& matches = found["matches"];
  const auto total = static_cast<int64_t>(matches.size());
  return Paged(Slice(matches, offset, limit), total, offset, offset + limit < total, format);
}

// A search answered by `method`, asked for one result past the page to learn whether there
// are more; `results` is where the method puts its list.
StatusOr<ToolOutput> Search(const MethodCaller& c, const std::string& method, Json params,
                            const char* limit_name, const char* results, const Params& p) {
  const int64_t limit = p.Int("limit"), offset = p.Int("offset");
  RETURN_IF_ERROR(CheckPage(limit, offset));
  ASSIGN_OR_RETURN(const std::string format, FormatOf(p));
  params[limit_name] = offset + limit + 1;
  ASSIGN_OR_RETURN(const Json found, c.Call(method, std::move(params)));
  const Json& all = found.is_array() ? found : found[results];
  if (!all.is_array()) return Internal(method + " answered without a list of results");
  const auto size = static_cast<int64_t>(all.size());
  const bool has_more = size > offset + limit;
  return Paged(Slice(all, offset, limit), has_more ? std::nullopt : std::optional<int64_t>(size),
               offset, has_more, format);
}

StatusOr<ToolOutput> Grep(const Params& p, const MethodCaller& c) {
  return Search(c, "grep",
                Json{{"pattern", p.Str("pattern")},
                     {"path", p.Str("path")},
                     {"ignore_case", p.Bool("ignore_case")}},
                "max_results", "results", p);
}

StatusOr<ToolOutput> SemanticSearch(const Params& p, const MethodCaller& c) {
  return Search(c, "semantic_search", Json{{"query", p.Str("query")}}, "limit", "results", p);
}

Json FileInfoSchema() {
  return Json{{"type", "object"},
              {"properties",
               {{"path", {{"type", "string"}}},
                {"exists", {{"type", "boolean"}}},
                {"is_directory", {{"type", "boolean"}}},
                {"size", {{"type", "integer"}}}}},
              {"required", {"path", "exists", "is_directory"}}};
}

}  // namespace

void AddFileTools(ToolSet& tools) {
  tools.Add({"nexus_read_file",
             "Read file",
             "Read a file of the Nexus tree as UTF-8 text (invalid bytes are replaced). Text past "
             "1 MiB is cut with a note; offset and length read any part of a larger file.",
             {PathParam("Absolute path of the file, e.g. /workspace/notes.md."),
              {Optional("offset", P::kInt, 0), "Byte offset to start reading at."},
              {Optional("length", P::kInt), "How many bytes to read at most (up to 1 MiB)."}},
             nullptr,
             kReader,
             ReadFile});
  tools.Add({"nexus_write_file",
             "Write file",
             "Write text to a file, creating it or replacing its content as a new version.",
             {PathParam("Absolute path of the file."),
              {Required("content", P::kString), "The file's new content."}},
             nullptr,
             {.read_only = false, .destructive = true, .idempotent = false},
             WriteFile});
  tools.Add({"nexus_delete_file",
             "Delete file",
             "Delete a file.",
             {PathParam("Absolute path of the file.")},
             nullptr,
             {.read_only = false, .destructive = true, .idempotent = true},
             DeleteFile});
  tools.Add({"nexus_list_files",
             "List files",
             "List the entries of a directory, page by page.",
             {{Optional("path", P::kString, "/"), "The directory to list."},
              {Optional("recursive", P::kBool, false), "Also list everything below."},
              {Optional("details", P::kBool, true),
               "Give size, type, etag and modification time of each entry."},
              Limit(50),
              Offset(),
              Format()},
             PagedSchema(Json{{"type", Json::array({"object", "string"})}}),
             kReader,
             ListFiles});
  tools.Add({"nexus_file_info",
             "File information",
             "Whether a path exists, whether it is a directory, and a file's size.",
             {PathParam("Absolute path.")},
             FileInfoSchema(),
             kReader,
             FileInfo});
  tools.Add({"nexus_mkdir",
             "Make directory",
             "Create a directory and any missing parents.",
             {PathParam("Absolute path of the directory.")},
             nullptr,
             {.read_only = false, .destructive = false, .idempotent = true},
             Mkdir});
  tools.Add({"nexus_rmdir",
             "Remove directory",
             "Remove a directory; with recursive, everything in it too.",
             {PathParam("Absolute path of the directory."),
              {Optional("recursive", P::kBool, false), "Remove a non-empty directory too."}},
             nullptr,
             {.read_only = false, .destructive = true, .idempotent = true},
             Rmdir});
  tools.Add({"nexus_rename_file",
             "Rename",
             "Rename or move a file or directory.",
             {{Required("old_path", P::kString), "The current path."},
              {Required("new_path", P::kString), "The new path."}},
             nullptr,
             {.read_only = false, .destructive = true, .idempotent = false},
             Rename});
  tools.Add({"nexus_glob",
             "Find files by pattern",
             "Paths matching a glob pattern (* within a name, ** across directories).",
             {{Required("pattern", P::kString), "The pattern, e.g. **/*.py."},
              {Optional("path", P::kString, "/"), "The directory to search under."},
              Limit(100),
              Offset(),
              Format()},
             PagedSchema(Json{{"type", "string"}}),
             kReader,
             Glob});
  tools.Add({"nexus_grep",
             "Search file contents",
             "Lines of files matching a regular expression.",
             {{Required("pattern", P::kString), "The regular expression."},
              {Optional("path", P::kString, "/"), "The directory to search under."},
              {Optional("ignore_case", P::kBool, false), "Match without regard to case."},
              Limit(100),
              Offset(),
              Format()},
             PagedSchema(Json{{"type", "object"}}),
             kReader,
             Grep});
  tools.Add({"nexus_semantic_search",
             "Search by meaning",
             "Files ranked by relevance to a query in natural language.",
             {{Required("query", P::kString), "What to look for."}, Limit(10), Offset(), Format()},
             PagedSchema(Json{{"type", "object"}}),
             kReader,
             SemanticSearch});
}

}  // namespace nexus::rpc::mcp

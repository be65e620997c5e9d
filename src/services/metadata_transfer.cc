#include "services/metadata_transfer.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "services/ownership.h"
#include "util/hash.h"
#include "util/path.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;

Status LineError(int64_t number, const std::string& what) {
  return Status(Code::kValidation, "line " + std::to_string(number) + ": " + what);
}

// A relative path of non-empty segments, none of them "." or "..".
bool ValidRelativePath(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view segment(path.data() + start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
  StatusOr<std::string> normalized = NormalizeFilePath("/" + path);
  return normalized.ok() && *normalized == "/" + path;
}

StatusOr<MetadataLine> LineFromJson(int64_t number, const Json& j) {
  if (!j.is_object()) return LineError(number, "not a JSON object");
  static const std::set<std::string> kKeys = {"etag", "mime_type", "path", "size"};
  for (const auto& [key, value] : j.items()) {
    if (!kKeys.contains(key)) return LineError(number, "unknown key '" + key + "'");
  }
  for (const char* key : {"etag", "path", "size"}) {
    if (!j.contains(key)) return LineError(number, std::string("missing key '") + key + "'");
  }
  MetadataLine line;
  if (!j["path"].is_string()) return LineError(number, "path must be a string");
  line.path = j["path"].get<std::string>();
  if (!ValidRelativePath(line.path))
    return LineError(number,
                     "path must be relative, without '.' or '..' segments: '" + line.path + "'");
  if (!j["size"].is_number_integer() || j["size"].get<int64_t>() < 0)
    return LineError(number, "size must be a non-negative integer");
  line.size = j["size"].get<int64_t>();
  if (!j["etag"].is_string() || !IsSha256Hex(j["etag"].get<std::string>()))
    return LineError(number, "etag must be a SHA-256 in lowercase hex");
  line.etag = j["etag"].get<std::string>();
  if (j.contains("mime_type")) {
    if (!j["mime_type"].is_string()) return LineError(number, "mime_type must be a string");
    line.mime_type = j["mime_type"].get<std::string>();
  }
  return line;
}

// `path` relative to `base` (a directory above it, or "/").
std::string RelativeTo(const std::string& base, const std::string& path) {
  return base == "/" ? path.substr(1) : path.substr(base.size() + 1);
}

}  // namespace

std::string FormatMetadataLines(const std::vector<MetadataLine>& lines) {
  std::string out;
  for (const MetadataLine& line : lines) {
    const Json j{{"etag", line.etag},
                 {"mime_type", line.mime_type},
                 {"path", line.path},
                 {"size", line.size}};
    out += j.dump() + "\n";
  }
  return out;
}

StatusOr<std::vector<NumberedLine>> ParseMetadataLines(std::string_view text) {
  std::vector<NumberedLine> out;
  int64_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (raw.size() > kMaxMetadataLineBytes)
      return LineError(number, "longer than " + std::to_string(kMaxMetadataLineBytes) + " bytes");
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (out.size() == kMaxMetadataLines)
      return LineError(number, "more than " + std::to_string(kMaxMetadataLines) + " lines");
    const Json j = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return LineError(number, "not valid JSON");
    ASSIGN_OR_RETURN(MetadataLine line, LineFromJson(number, j));
    out.push_back(NumberedLine{number, std::move(line)});
  }
  return out;
}

StatusOr<ConflictMode> ParseConflictMode(std::string_view name) {
  if (name == "skip") return ConflictMode::kSkip;
  if (name == "overwrite") return ConflictMode::kOverwrite;
  if (name == "fail") return ConflictMode::kFail;
  return InvalidArgument("conflict must be skip, overwrite or fail, got '" + std::string(name) +
                         "'");
}

StatusOr<std::vector<MetadataLine>> MetadataTransfer::Export(const std::vector<std::string>& dirs,
                                                             const std::string& base,
                                                             SkillAccess& access) {
  std::vector<vfs::FileInfo> files;
  for (const std::string& dir : dirs) {
    StatusOr<vfs::FileInfo> info = tree_.Stat(dir);
    if (!info.ok() && info.status().code() == Code::kNotFound) continue;
    RETURN_IF_ERROR(info.status());
    if (!info->is_directory) {
      files.push_back(*std::move(info));
      continue;
    }
    vfs::ListOptions options;
    options.recursive = true;
    ASSIGN_OR_RETURN(vfs::ListPage page, tree_.List(dir, options));
    for (vfs::FileInfo& entry : page.entries) {
      if (!entry.is_directory) files.push_back(std::move(entry));
    }
  }
  std::vector<std::string> paths;
  for (const vfs::FileInfo& f : files) paths.push_back(f.path);
  ASSIGN_OR_RETURN(const std::vector<bool> readable, access.Readable(paths));
  std::map<std::string, MetadataLine> sorted;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!readable[i]) continue;
    const vfs::FileInfo& f = files[i];
    sorted[f.path] = MetadataLine{RelativeTo(base, f.path), f.size, f.etag, f.mime_type};
  }
  std::vector<MetadataLine> out;
  for (auto& [path, line] : sorted) out.push_back(std::move(line));
  return out;
}

StatusOr<std::vector<std::string>> MetadataTransfer::Holders(
    const std::string& hash, int64_t size, const std::vector<std::string>& roots) {
  if (roots.empty()) return std::vector<std::string>{};
  std::string sql =
      "SELECT DISTINCT n.path FROM versions v JOIN nodes n ON n.id = v.node_id"
      " WHERE v.hash = ? AND v.size = ? AND (";
  storage::Params params = {hash, size};
  for (size_t i = 0; i < roots.size(); ++i) {
    sql += i == 0 ? "n.path LIKE ? ESCAPE '\\'" : " OR n.path LIKE ? ESCAPE '\\'";
    params.push_back(EscapeLike(roots[i]) + "/%");
  }
  sql += ")";
  std::vector<std::string> out;
  RETURN_IF_ERROR(engine_.Read([&](storage::Tx& tx) -> Status {
    out.clear();
    ASSIGN_OR_RETURN(storage::Rows rows, tx.Query(sql, params));
    for (const auto& row : rows) out.push_back(row.Text(0));
    return Status::OK();
  }));
  return out;
}

Status MetadataTransfer::CheckContent(const std::vector<ImportItem>& items,
                                      const std::vector<std::string>& roots, SkillAccess& access) {
  std::set<std::pair<std::string, int64_t>> checked;
  for (const ImportItem& item : items) {
    if (!checked.insert({item.line.etag, item.line.size}).second) continue;
    ASSIGN_OR_RETURN(const std::vector<std::string> holders,
                     Holders(item.line.etag, item.line.size, roots));
    bool readable = false;
    if (!holders.empty()) {
      ASSIGN_OR_RETURN(const std::vector<bool> visible, access.Readable(holders));
      for (const bool v : visible) readable = readable || v;
    }
    // Content the caller cannot read answers as absent content: no probing of others' files.
    if (!readable)
      return LineError(item.number, "no content " + item.line.etag + " of " +
                                        std::to_string(item.line.size) +
                                        " bytes in a file you may read; write the content first");
  }
  return Status::OK();
}

StatusOr<ImportResult> MetadataTransfer::Import(const vfs::Actor& actor,
                                                const std::vector<ImportItem>& items,
                                                const std::vector<std::string>& content_roots,
                                                ConflictMode mode, bool dry_run,
                                                SkillAccess& access) {
  std::map<std::string, int64_t> seen;
  for (const ImportItem& item : items) {
    const auto [it, fresh] = seen.emplace(item.target, item.number);
    if (!fresh)
      return LineError(item.number,
                       item.target + " is already named on line " + std::to_string(it->second));
  }
  for (const ImportItem& item : items) RETURN_IF_ERROR(access.CheckWrite(item.target));
  RETURN_IF_ERROR(CheckContent(items, content_roots, access));

  ImportResult result;
  result.total = static_cast<int64_t>(items.size());
  std::vector<vfs::TreeChange> changes;
  // What each target held when checked (nullopt: nothing), to be found again in the unit.
  std::vector<std::pair<std::string, std::optional<std::string>>> expected;
  for (const ImportItem& item : items) {
    StatusOr<vfs::FileInfo> info = tree_.Stat(item.target);
    if (!info.ok() && info.status().code() != Code::kNotFound) return info.status();
    if (!info.ok()) {
      ++result.created;
      expected.emplace_back(item.target, std::nullopt);
    } else if (info->is_directory) {
      return LineError(item.number, item.target + " is a directory");
    } else if (mode == ConflictMode::kFail) {
      return Status(Code::kAlreadyExists, "line " + std::to_string(item.number) + ": " +
                                              item.target + " exists (conflict=fail)");
    } else if (mode == ConflictMode::kSkip || info->etag == item.line.etag) {
      ++result.skipped;
      continue;
    } else {
      ++result.updated;
      expected.emplace_back(item.target, info->etag);
    }
    changes.push_back(vfs::TreeChange{vfs::TreeChange::Kind::kWrite, item.target, item.line.etag,
                                      item.line.size});
  }
  if (dry_run || changes.empty()) return result;
  const auto unchanged = [&](storage::Tx& tx) -> Status {
    for (const auto& [path, etag] : expected) {
      ASSIGN_OR_RETURN(storage::Rows rows,
                       tx.Query("SELECT hash FROM nodes WHERE path = ?", {path}));
      const std::optional<std::string> now = rows.empty() ? std::nullopt : rows[0].OptText(0);
      if (now != etag)
        return Status(Code::kConflict,
                      path + " changed while the import was checked; nothing was imported");
    }
    return Status::OK();
  };
  RETURN_IF_ERROR(tree_.ApplyBatch(actor, changes, "import_metadata", unchanged).status());
  return result;
}

}  // namespace nexus::services

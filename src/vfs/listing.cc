// List, glob and grep: the read-only walks over the path tree.
#include <limits>

#include "util/glob.h"
#include "util/path.h"
#include "vfs/line_grep.h"
#include "vfs/node_store.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {

using storage::Rows;
using storage::Tx;

namespace {

// Checks that `dir` is the root or an existing directory.
Status CheckDirectory(Tx& tx, const std::string& dir) {
  if (dir == "/") return Status::OK();
  ASSIGN_OR_RETURN(Node node, LoadExisting(tx, dir));
  if (!node.info.is_directory) return Status(Code::kNotADirectory, "Not a directory: " + dir);
  return Status::OK();
}

std::string EscapeGlob(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

StatusOr<ListPage> PathTree::List(std::string_view raw_dir, const ListOptions& options) {
  ASSIGN_OR_RETURN(const std::string dir, NormalizePath(raw_dir));
  if (options.limit < 0) return InvalidArgument("limit must not be negative");
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
  const std::pair<std::string, std::string> range = SubtreeRange(dir);
  const std::string &low = range.first, &high = range.second;
  const std::string start = options.prefix.empty() ? low : JoinPath(dir, options.prefix);
  // One row more than asked tells whether another page follows.
  const int64_t fetch = options.limit > 0 ? options.limit + 1 : std::numeric_limits<int64_t>::max();
  Rows rows;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(CheckDirectory(tx, dir));
    const std::string cols = std::string("SELECT ") + kNodeColumns + " FROM nodes WHERE ";
    if (options.recursive) {
      ASSIGN_OR_RETURN(rows,
                       tx.Query(cols + "path >= ? AND path > ? AND path < ? ORDER BY path LIMIT ?",
                                {start, options.cursor, high, fetch}));
    } else {
      ASSIGN_OR_RETURN(
          rows, tx.Query(cols + "parent = ? AND path >= ? AND path > ? ORDER BY path LIMIT ?",
                         {dir, start, options.cursor, fetch}));
    }
    return Status::OK();
  }));
  ListPage page;
  for (const auto& row : rows) {
    Node node = NodeFromRow(row);
    // Sorted rows: the ones with the prefix come first, so the first miss ends the listing.
    if (!options.prefix.empty() && !PathBelow(node.info.path, dir).starts_with(options.prefix))
      break;
    if (options.limit > 0 && static_cast<int64_t>(page.entries.size()) == options.limit) {
      page.next_cursor = page.entries.back().path;
      break;
    }
    page.entries.push_back(std::move(node.info));
  }
  return page;
}

StatusOr<std::vector<std::string>> PathTree::Glob(std::string_view pattern,
                                                  std::string_view raw_base) {
  ASSIGN_OR_RETURN(const std::string base, NormalizePath(raw_base));
  if (pattern.empty()) return Status(Code::kInvalidPattern, "Glob pattern is empty");
  const std::string full =
      pattern.front() == '/' ? std::string(pattern) : JoinPath(EscapeGlob(base), pattern);
  ASSIGN_OR_RETURN(const GlobMatcher matcher, GlobMatcher::Compile(full));
  // Only the subtree of the pattern's literal directory part can match.
  const std::string literal = GlobLiteralPrefix(full);
  const size_t slash = literal.rfind('/');
  const std::string scan =
      slash == 0 || slash == std::string::npos ? "/" : literal.substr(0, slash);
  const std::pair<std::string, std::string> range = SubtreeRange(scan);  // see List
  const std::string &low = range.first, &high = range.second;
  std::vector<std::string> matches;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT path FROM nodes WHERE path >= ? AND path < ?"
                                         " ORDER BY path",
                                         {low, high}));
    for (const auto& r : rows) {
      std::string path = r.Text(0);
      if (matcher.Matches(path)) matches.push_back(std::move(path));
    }
    return Status::OK();
  }));
  return matches;
}

namespace {

struct Candidate {
  std::string path;
  std::string hash;
  int64_t size;
};

}  // namespace

StatusOr<std::vector<GrepMatch>> PathTree::Grep(std::string_view pattern, std::string_view raw_path,
                                                const GrepOptions& options) {
  ASSIGN_OR_RETURN(const std::string root, NormalizePath(raw_path));
  ASSIGN_OR_RETURN(const LineGrep grep, LineGrep::Compile(pattern, root, options));
  std::vector<Candidate> files;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    files.clear();
    const auto [low, high] = SubtreeRange(root);
    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT path, hash, size FROM nodes WHERE is_dir = 0 AND"
                                         " (path = ? OR (path >= ? AND path < ?)) ORDER BY path",
                                         {root, low, high}));
    for (const auto& r : rows) files.push_back(Candidate{r.Text(0), r.Text(1), r.Int(2)});
    return Status::OK();
  }));
  std::vector<GrepMatch> out;
  for (const Candidate& f : files) {
    if (grep.Full(out)) break;
    if (!grep.Wants(f.path, f.size)) continue;
    ASSIGN_OR_RETURN(const std::string content, blobs_.Get(f.hash));
    grep.Scan(f.path, content, out);
  }
  return out;
}

}  // namespace nexus::vfs

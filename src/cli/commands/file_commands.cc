// Files and directories: ls, tree, cat, write, append, cp, mv, rm, mkdir, rmdir, stat/info,
// glob, grep, find-duplicates.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <map>
#include <memory>

#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "cli/commands/format.h"
#include "cli/commands/large_files.h"
#include "cli/commands/local_files.h"
#include "cli/commands/progress.h"

namespace nexus::cli {
namespace {

using client::Value;

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// `path` relative to the listed directory `dir` ("/a/b/c" below "/a" is "b/c").
std::string Relative(const std::string& path, const std::string& dir) {
  const std::string prefix = dir == "/" ? "/" : dir + "/";
  return path.starts_with(prefix) ? path.substr(prefix.size()) : path;
}

bool IsHidden(const std::string& relative) {
  return relative.starts_with(".") || relative.find("/.") != std::string::npos;
}

// ---- ls

struct LsOptions {
  std::string path = "/";
  bool long_format = false;
  bool recursive = false;
  bool all = false;
};

void PrintLong(const std::vector<const Value*>& entries, const LsOptions& o, const Painter& paint) {
  Table table({false, true, false, false});
  for (const Value* e : entries) {
    const bool dir = (*e)["is_directory"].AsBool();
    const std::string name =
        o.recursive ? Relative((*e)["path"].AsString(), o.path) : BaseName((*e)["path"].AsString());
    table.AddRow({dir ? "d" : "-", dir ? "-" : HumanSize((*e)["size"].AsInt()),
                  LocalTime((*e)["modified_at"]), dir ? paint.Directory(name + "/") : name});
  }
  table.Print(stdout);
}

int Ls(Remote& r, const LsOptions& o) {
  const Value params = {{"path", o.path}, {"recursive", o.recursive}, {"details", true}};
  return Show(r, "list", params, [&o](const Value& answer) {
    std::vector<const Value*> shown;
    for (const Value& e : answer["files"].AsArray()) {
      if (o.all || !IsHidden(Relative(e["path"].AsString(), o.path))) shown.push_back(&e);
    }
    const Painter paint(stdout);
    if (o.long_format) {
      PrintLong(shown, o, paint);
      return;
    }
    for (const Value* e : shown) {
      const std::string name = o.recursive ? Relative((*e)["path"].AsString(), o.path)
                                           : BaseName((*e)["path"].AsString());
      std::printf("%s\n", (*e)["is_directory"].AsBool() ? paint.Directory(name + "/").c_str()
                                                        : name.c_str());
    }
  });
}

// ---- tree

// Directories as nested maps, files as leaves; built from full paths so that directories
// that exist only because files lie below them show too.
struct TreeNode {
  std::map<std::string, TreeNode> children;
  bool directory = false;
};

void PrintTree(const TreeNode& node, const std::string& indent, const Painter& paint, int* dirs,
               int* files) {
  size_t left = node.children.size();
  for (const auto& [name, child] : node.children) {
    const bool last = --left == 0;
    const bool dir = child.directory || !child.children.empty();
    ++*(dir ? dirs : files);
    std::printf("%s%s%s\n", indent.c_str(), last ? "└── " : "├── ",
                dir ? paint.Directory(name).c_str() : name.c_str());
    PrintTree(child, indent + (last ? "    " : "│   "), paint, dirs, files);
  }
}

void PrintTreeOf(const Value& answer, const std::string& path) {
  TreeNode root;
  for (const Value& e : answer["files"].AsArray()) {
    TreeNode* node = &root;
    const std::string relative = Relative(e["path"].AsString(), path);
    size_t start = 0;
    while (start <= relative.size()) {
      const size_t slash = relative.find('/', start);
      const size_t end = slash == std::string::npos ? relative.size() : slash;
      node = &node->children[relative.substr(start, end - start)];
      start = end + 1;
    }
    node->directory = e["is_directory"].AsBool();
  }
  const Painter paint(stdout);
  std::printf("%s\n", paint.Directory(path).c_str());
  int dirs = 0, files = 0;
  PrintTree(root, "", paint, &dirs, &files);
  std::printf("\n%d director%s, %d file%s\n", dirs, dirs == 1 ? "y" : "ies", files,
              files == 1 ? "" : "s");
}

int Tree(Remote& r, const std::string& path) {
  return Show(r, "list", {{"path", path}, {"recursive", true}, {"details", true}},
              [&path](const Value& answer) { PrintTreeOf(answer, path); });
}

// ---- cat, write, append

// A file too large for one read (kValidation) is printed in ranges.
Status PrintLarge(Remote& r, const std::string& path, const Status& refused) {
  StatusOr<Value> stat = r.Call("stat", {{"path", path}}, true);
  if (!stat.ok() || (*stat)["size"].AsInt() <= client::kLargeFile) return refused;
  return PrintInRanges(r, path, (*stat)["size"].AsInt(), (*stat)["etag"].AsString());
}

int Cat(Remote& r, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    StatusOr<Value> content = r.Call("read", {{"path", path}}, true);
    if (!content.ok() && content.status().code() == Code::kValidation && !r.json()) {
      if (Status s = PrintLarge(r, path, content.status()); !s.ok()) return r.Fail(s);
      continue;
    }
    if (!content.ok()) return r.Fail(content.status());
    if (r.json()) {
      r.PrintJson({{"path", path}, {"content", *content}});
      continue;
    }
    if (Status s = WriteStdout(content->AsString()); !s.ok()) return r.Fail(s);
  }
  return kExitOk;
}

struct WriteOptions {
  std::string path;
  std::string from;  // a local file; empty: stdin
  std::string if_match;
  bool if_none_match = false;
};

// A local file too large for one request goes in parts, as one new version.
int WriteInParts(Remote& r, const WriteOptions& o, int64_t size) {
  Progress progress("Writing", 1, size, !r.options().quiet && !r.json());
  StatusOr<Value> info = UploadInParts(r, o.from, o.path, o.if_match, 4, progress);
  if (!info.ok()) return r.Fail(info.status());
  if (r.json()) {
    r.PrintJson(*info);
  } else {
    r.Note("Wrote " + HumanSize(size) + " to " + o.path + " (version " +
           std::to_string((*info)["version"].AsInt()) + ")");
  }
  return kExitOk;
}

int Write(Remote& r, const WriteOptions& o, bool append) {
  // --if-none-match has no upload form: such a write goes whole, as before.
  std::error_code ec;
  const auto size =
      o.from.empty() ? 0 : static_cast<int64_t>(std::filesystem::file_size(o.from, ec));
  if (!append && !o.if_none_match && !ec && size > client::kLargeFile)
    return WriteInParts(r, o, size);
  StatusOr<std::string> content = o.from.empty() ? ReadStdin() : ReadLocalFile(o.from);
  if (!content.ok()) return r.Fail(content.status());
  const std::string sent = HumanSize(static_cast<int64_t>(content->size()));
  Value params = {{"path", o.path}, {"content", Value::Bytes(std::move(content).value())}};
  if (!o.if_match.empty()) params.Set("if_match", o.if_match);
  if (o.if_none_match && !append) params.Set("if_none_match", true);
  auto confirm = [&](const Value& answer) {
    const Value& info = append ? answer : answer["bytes_written"];
    const std::string version = std::to_string(info["version"].AsInt());
    r.Note(append ? "Appended " + sent + " to " + o.path + " (version " + version + ", now " +
                        HumanSize(info["size"].AsInt()) + ")"
                  : "Wrote " + sent + " to " + o.path + " (version " + version + ")");
  };
  return Show(r, append ? "append" : "write", std::move(params), confirm, /*idempotent=*/false);
}

// ---- cp, mv, rm, mkdir, rmdir

struct RmOptions {
  std::vector<std::string> paths;
  bool recursive = false;
  bool force = false;
};

int Rm(Remote& r, const RmOptions& o) {
  Value results = Value::EmptyObject();
  for (const std::string& path : o.paths) {
    StatusOr<Value> stat = r.Call("stat", {{"path", path}}, true);
    if (!stat.ok()) {
      if (o.force && stat.status().code() == Code::kNotFound) continue;
      return r.Fail(stat.status());
    }
    const bool dir = (*stat)["is_directory"].AsBool();
    if (dir && !o.recursive)
      return r.Fail(Status(Code::kIsADirectory, path + " is a directory (use rm -r)"));
    StatusOr<Value> answer = dir ? r.Call("rmdir", {{"path", path}, {"recursive", true}})
                                 : r.Call("delete", {{"path", path}});
    if (!answer.ok()) return r.Fail(answer.status());
    results.Set(path, *answer);
    r.Note("Removed " + path);
  }
  if (r.json()) r.PrintJson(results);
  return kExitOk;
}

int Mkdir(Remote& r, const std::vector<std::string>& paths, bool parents) {
  for (const std::string& path : paths) {
    const int code =
        Simple(r, "mkdir", {{"path", path}, {"parents", parents}, {"exist_ok", parents}},
               "Created " + path);
    if (code != kExitOk) return code;
  }
  return kExitOk;
}

// ---- stat

// get_metadata has the owner and times; stat has the version and etag.
int Stat(Remote& r, const std::string& path) {
  StatusOr<Value> answer = r.Call("get_metadata", {{"path", path}}, true);
  if (!answer.ok()) return r.Fail(answer.status());
  Value meta = (*answer)["metadata"];
  if (meta.is_null()) return r.Fail(NotFound("File not found: " + path));
  StatusOr<Value> stat = r.Call("stat", {{"path", path}}, true);
  if (!stat.ok()) return r.Fail(stat.status());
  meta.Set("version", (*stat)["version"]).Set("etag", (*stat)["etag"]);
  if (r.json()) {
    r.PrintJson(meta);
    return kExitOk;
  }
  Table table;
  table.AddRow({"path:", meta["path"].AsString()});
  table.AddRow({"type:", meta["is_directory"].AsBool() ? "directory" : "file"});
  if (!meta["is_directory"].AsBool()) {
    table.AddRow({"size:", HumanSize(meta["size"].AsInt()) + " (" +
                               std::to_string(meta["size"].AsInt()) + " bytes)"});
    table.AddRow({"mime type:", meta["mime_type"].AsString()});
  }
  if (meta["version"].is_number())
    table.AddRow({"version:", std::to_string(meta["version"].AsInt())});
  if (meta["etag"].is_string()) table.AddRow({"etag:", meta["etag"].AsString()});
  table.AddRow({"owner:", meta["owner"].AsString()});
  table.AddRow({"created:", LocalTime(meta["created_at"])});
  table.AddRow({"modified:", LocalTime(meta["modified_at"])});
  table.Print(stdout);
  return kExitOk;
}

// ---- glob, grep, find-duplicates

int Glob(Remote& r, const std::string& pattern, const std::string& path) {
  return Show(r, "glob", {{"pattern", pattern}, {"path", path}}, [](const Value& answer) {
    for (const Value& match : answer["matches"].AsArray())
      std::printf("%s\n", match.AsString().c_str());
  });
}

struct GrepOptions {
  std::string pattern;
  std::string path = "/";
  std::string file_pattern;
  bool ignore_case = false;
  bool line_numbers = false;
  bool files_with_matches = false;
  int max_results = 1000;
};

// Exits 1 when nothing matched, as grep does, so that `nexus grep -q`-style scripts work.
int Grep(Remote& r, const GrepOptions& o) {
  Value params = {{"pattern", o.pattern},
                  {"path", o.path},
                  {"ignore_case", o.ignore_case},
                  {"max_results", o.max_results}};
  if (!o.file_pattern.empty()) params.Set("file_pattern", o.file_pattern);
  StatusOr<Value> answer = r.Call("grep", std::move(params), true);
  if (!answer.ok()) return r.Fail(answer.status());
  const Value::Array& results = (*answer)["results"].AsArray();
  if (r.json()) {
    r.PrintJson(*answer);
    return results.empty() ? kExitFailure : kExitOk;
  }
  const Painter paint(stdout);
  std::string last_file;
  for (const Value& hit : results) {
    const std::string& file = hit["file"].AsString();
    if (o.files_with_matches) {
      if (file != last_file) std::printf("%s\n", file.c_str());
      last_file = file;
      continue;
    }
    std::string line = paint.Dim(file) + ":";
    if (o.line_numbers) line += std::to_string(hit["line"].AsInt()) + ":";
    std::printf("%s%s\n", line.c_str(), hit["content"].AsString().c_str());
  }
  return results.empty() ? kExitFailure : kExitOk;
}

int FindDuplicates(Remote& r, const std::string& path) {
  StatusOr<Value> answer =
      r.Call("list", {{"path", path}, {"recursive", true}, {"details", true}}, true);
  if (!answer.ok()) return r.Fail(answer.status());
  std::map<std::string, std::vector<const Value*>> by_etag;
  for (const Value& e : (*answer)["files"].AsArray()) {
    if (!e["is_directory"].AsBool() && e["etag"].is_string())
      by_etag[e["etag"].AsString()].push_back(&e);
  }
  Value groups = Value::EmptyArray();
  for (const auto& [etag, entries] : by_etag) {
    if (entries.size() < 2) continue;
    Value paths = Value::EmptyArray();
    for (const Value* e : entries) paths.Append((*e)["path"]);
    groups.Append({{"etag", etag}, {"size", (*entries[0])["size"]}, {"paths", paths}});
  }
  if (r.json()) {
    r.PrintJson(groups);
    return kExitOk;
  }
  for (const Value& group : groups.AsArray()) {
    std::printf("%zu copies, %s each:\n", group["paths"].size(),
                HumanSize(group["size"].AsInt()).c_str());
    for (const Value& p : group["paths"].AsArray()) std::printf("  %s\n", p.AsString().c_str());
  }
  return kExitOk;
}

// ---- registration

void AddListing(CLI::App& app, RemoteCommand* run) {
  auto ls = Shared<LsOptions>();
  CLI::App* cmd = app.add_subcommand("ls", "List a directory");
  cmd->add_option("path", ls->path, "Directory (default /)");
  cmd->add_flag("-l,--long", ls->long_format, "Type, size, modification time and name");
  cmd->add_flag("-R,--recursive", ls->recursive, "Everything below the directory");
  cmd->add_flag("-a,--all", ls->all, "Include names starting with '.'");
  OnRun(cmd, run, ls, Ls);

  auto tree = std::make_shared<std::string>("/");
  cmd = app.add_subcommand("tree", "Show a directory and everything below it as a tree");
  cmd->add_option("path", *tree, "Directory (default /)");
  OnRun(cmd, run, tree, Tree);

  auto dupes = std::make_shared<std::string>("/");
  cmd = app.add_subcommand("find-duplicates", "Files with identical content");
  cmd->add_option("path", *dupes, "Directory (default /)");
  OnRun(cmd, run, dupes, FindDuplicates);
}

void AddContent(CLI::App& app, RemoteCommand* run) {
  auto cat = Shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand("cat", "Print files");
  cmd->add_option("paths", *cat, "Files")->required();
  OnRun(cmd, run, cat, Cat);

  for (const bool append : {false, true}) {
    auto w = Shared<WriteOptions>();
    cmd = app.add_subcommand(append ? "append" : "write",
                             append ? "Append stdin (or --from FILE) to a file"
                                    : "Write stdin (or --from FILE) to a file, as a new version");
    cmd->add_option("path", w->path, "File")->required();
    cmd->add_option("--from", w->from, "Local file to send instead of stdin");
    cmd->add_option("--if-match", w->if_match, "Only if the file's etag is still this");
    if (!append)
      cmd->add_flag("--if-none-match", w->if_none_match, "Only if the file does not exist");
    OnRun(cmd, run, w, [append](Remote& r, const WriteOptions& o) { return Write(r, o, append); });
  }
}

using PathPair = std::pair<std::string, std::string>;

void AddChanges(CLI::App& app, RemoteCommand* run) {
  auto copy = Shared<PathPair>();
  CLI::App* cmd = app.add_subcommand("cp", "Copy a file");
  cmd->add_option("source", copy->first, "File to copy")->required();
  cmd->add_option("destination", copy->second, "New path")->required();
  OnRun(cmd, run, copy, [](Remote& r, const PathPair& p) {
    return Simple(r, "copy", {{"src_path", p.first}, {"dst_path", p.second}},
                  "Copied " + p.first + " to " + p.second);
  });

  auto move = Shared<PathPair>();
  cmd = app.add_subcommand("mv", "Move or rename a file or directory");
  cmd->add_option("source", move->first, "Path to move")->required();
  cmd->add_option("destination", move->second, "New path")->required();
  OnRun(cmd, run, move, [](Remote& r, const PathPair& p) {
    return Simple(r, "rename", {{"old_path", p.first}, {"new_path", p.second}},
                  "Moved " + p.first + " to " + p.second);
  });

  auto rm = Shared<RmOptions>();
  cmd = app.add_subcommand("rm", "Remove files (and directories with -r)");
  cmd->add_option("paths", rm->paths, "Paths")->required();
  cmd->add_flag("-r,--recursive", rm->recursive, "Remove directories and what they hold");
  cmd->add_flag("-f,--force", rm->force, "Ignore paths that do not exist");
  OnRun(cmd, run, rm, Rm);

  using MkdirArgs = std::pair<std::vector<std::string>, bool>;
  auto mkdir = Shared<MkdirArgs>();
  cmd = app.add_subcommand("mkdir", "Create directories");
  cmd->add_option("paths", mkdir->first, "Directories")->required();
  cmd->add_flag("-p,--parents", mkdir->second, "Create parents; an existing directory is fine");
  OnRun(cmd, run, mkdir, [](Remote& r, const MkdirArgs& a) { return Mkdir(r, a.first, a.second); });

  using RmdirArgs = std::pair<std::string, bool>;
  auto rmdir = Shared<RmdirArgs>();
  cmd = app.add_subcommand("rmdir", "Remove a directory (empty unless -r)");
  cmd->add_option("path", rmdir->first, "Directory")->required();
  cmd->add_flag("-r,--recursive", rmdir->second, "Remove what it holds too");
  OnRun(cmd, run, rmdir, [](Remote& r, const RmdirArgs& a) {
    return Simple(r, "rmdir", {{"path", a.first}, {"recursive", a.second}}, "Removed " + a.first);
  });
}

void AddQueries(CLI::App& app, RemoteCommand* run) {
  for (const char* name : {"stat", "info"}) {
    auto path = Shared<std::string>();
    CLI::App* cmd = app.add_subcommand(name, "Show a file's or directory's metadata");
    cmd->add_option("path", *path, "Path")->required();
    OnRun(cmd, run, path, Stat);
  }

  auto glob = std::make_shared<PathPair>("", "/");
  CLI::App* cmd = app.add_subcommand("glob", "Paths matching a pattern (* ? [..] **)");
  cmd->add_option("pattern", glob->first, "Pattern")->required();
  cmd->add_option("path", glob->second, "Directory to match below (default /)");
  OnRun(cmd, run, glob, [](Remote& r, const PathPair& p) { return Glob(r, p.first, p.second); });

  auto grep = Shared<GrepOptions>();
  cmd = app.add_subcommand("grep", "Lines of files matching a regular expression");
  cmd->add_option("pattern", grep->pattern, "Regular expression (RE2)")->required();
  cmd->add_option("path", grep->path, "Directory to search (default /)");
  cmd->add_flag("-i,--ignore-case", grep->ignore_case, "Ignore case");
  cmd->add_flag("-n,--line-number", grep->line_numbers, "Show line numbers");
  cmd->add_flag("-l,--files-with-matches", grep->files_with_matches, "Only the names of files");
  cmd->add_option("--include", grep->file_pattern, "Only files whose path matches this glob");
  cmd->add_option("-m,--max-results", grep->max_results, "At most this many lines")
      ->check(CLI::PositiveNumber);
  OnRun(cmd, run, grep, Grep);
}

}  // namespace

void AddFileCommands(CLI::App& app, RemoteCommand* run) {
  AddListing(app, run);
  AddContent(app, run);
  AddChanges(app, run);
  AddQueries(app, run);
}

}  // namespace nexus::cli

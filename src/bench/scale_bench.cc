// scale_bench: how the path tree holds up at a million files (issue 8 §3, `make bench-scale`).
//
// Builds two trees the way the server stores them (SQLite with the server's defaults in a
// fresh data directory under $TMPDIR, vfs::PathTree with the server's permission hooks, so
// every file gets its node, version and owner-tuple rows as a write through the API would):
// a baseline of 1,000 files and the large one of --files files, 1,000 to a directory. Every
// file holds the same small content, stored once. On each it times stat and read of random
// files and list of a 1,000-entry directory, in process and one at a time; then it starts
// the release `nexus serve` on each data directory and times it until GET /health answers.
// Prints a table and appends its rows to the JSON array in --json.
//
// Usage: scale_bench [--files N] [--samples N] [--nexus PATH] [--json PATH]

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "node/demo.h"
#include "node/schema.h"
#include "rebac/rebac.h"
#include "services/permission_hooks.h"
#include "storage/store.h"
#include "stress/stats.h"
#include "testing/http_client.h"
#include "testing/server_process.h"
#include "testing/temp_dir.h"
#include "vfs/path_tree.h"

namespace nexus::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr int64_t kBaselineFiles = 1000;
constexpr int64_t kFilesPerDirectory = 1000;
constexpr double kMaxRatio = 1.5;  // large tree over baseline, p50
constexpr double kMaxStartMs = 1000;
constexpr char kRoot[] = "/tenant:default/user:admin/scale";
constexpr char kContent[] = "scale bench file\n";

struct Options {
  int64_t files = 1000000;
  int samples = 2000;  // timed stats and reads per tree; lists are a fortieth of this
  std::string nexus;
  std::string json = "build/bench/scale.json";
};

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string DirectoryPath(int64_t dir) {
  char name[32];
  std::snprintf(name, sizeof name, "/d%05lld", static_cast<long long>(dir));
  return kRoot + std::string(name);
}

std::string FilePath(int64_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "/f%04lld.txt",
                static_cast<long long>(index % kFilesPerDirectory));
  return DirectoryPath(index / kFilesPerDirectory) + name;
}

// One row of the report. Latency rows carry p50/p99; the others one value in `unit`.
struct Row {
  std::string workload;
  int64_t files = 0;
  std::optional<double> p50_ms, p99_ms, value;
  std::string unit;
  std::string baseline;         // the row this one is compared with, if any
  std::optional<double> ratio;  // p50 over the baseline's p50
  std::string target;
  std::optional<bool> met;
};

// A tree in its own data directory, opened as `nexus serve` opens it.
class ScaleTree {
 public:
  static StatusOr<std::unique_ptr<ScaleTree>> Open(const std::string& data_dir) {
    auto tree = std::unique_ptr<ScaleTree>(new ScaleTree(data_dir));
    ASSIGN_OR_RETURN(
        tree->store_,
        storage::OpenStore({.data_dir = data_dir, .database_url = "", .schema = node::Schema()}));
    tree->rebac_ = std::make_unique<rebac::Rebac>(*tree->store_.engine);
    tree->tree_ = std::make_unique<vfs::PathTree>(*tree->store_.engine, *tree->store_.blobs,
                                                  services::PermissionHooks(*tree->rebac_));
    return tree;
  }

  vfs::PathTree& tree() { return *tree_; }

  // Bytes of nexus.db and its write-ahead log, as they stand with the store open.
  int64_t DatabaseBytes() const {
    int64_t total = 0;
    for (const char* name : {"/nexus.db", "/nexus.db-wal"}) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(data_dir_ + name, ec);
      if (!ec) total += static_cast<int64_t>(size);
    }
    return total;
  }

 private:
  explicit ScaleTree(std::string data_dir) : data_dir_(std::move(data_dir)) {}

  std::string data_dir_;
  storage::Store store_;
  std::unique_ptr<rebac::Rebac> rebac_;
  std::unique_ptr<vfs::PathTree> tree_;
};

// Writes files 0..files-1, one directory per batch: one transaction (one fsync) per 1,000
// files instead of one per file is what makes a million files a matter of minutes.
Status Fill(vfs::PathTree& tree, int64_t files) {
  ASSIGN_OR_RETURN(const std::string hash, tree.StoreContent(kContent));
  const vfs::Actor actor{"admin"};
  const auto size = static_cast<int64_t>(sizeof kContent - 1);
  std::vector<vfs::TreeChange> batch;
  for (int64_t first = 0; first < files; first += kFilesPerDirectory) {
    batch.clear();
    for (int64_t i = first; i < std::min(files, first + kFilesPerDirectory); ++i) {
      batch.push_back({vfs::TreeChange::Kind::kWrite, FilePath(i), hash, size});
    }
    RETURN_IF_ERROR(tree.ApplyBatch(actor, batch).status());
    if ((first / kFilesPerDirectory) % 100 == 99) {
      std::fprintf(stderr, "scale_bench: %lld files written\n",
                   static_cast<long long>(first + kFilesPerDirectory));
    }
  }
  return Status::OK();
}

// Runs `op` on `samples` random indices in [0, n) after a tenth as many untimed ones
// (warm-up); returns the sorted latencies in ms. The seed is fixed so runs pick alike.
StatusOr<std::vector<double>> Time(int samples, int64_t n,
                                   const std::function<Status(int64_t)>& op) {
  std::mt19937_64 rng(8);
  std::uniform_int_distribution<int64_t> pick(0, n - 1);
  std::vector<double> latencies;
  for (int i = 0; i < samples / 10; ++i) RETURN_IF_ERROR(op(pick(rng)));
  for (int i = 0; i < samples; ++i) {
    const int64_t index = pick(rng);
    const Clock::time_point start = Clock::now();
    RETURN_IF_ERROR(op(index));
    latencies.push_back(MillisSince(start));
  }
  std::sort(latencies.begin(), latencies.end());
  return latencies;
}

Row LatencyRow(std::string workload, int64_t files, const std::vector<double>& sorted) {
  Row row;
  row.workload = std::move(workload);
  row.files = files;
  row.p50_ms = stress::Quantile(sorted, 0.50);
  row.p99_ms = stress::Quantile(sorted, 0.99);
  return row;
}

Row ValueRow(std::string workload, int64_t files, double value, std::string unit) {
  Row row;
  row.workload = std::move(workload);
  row.files = files;
  row.value = value;
  row.unit = std::move(unit);
  return row;
}

// Fills a tree of `files` files in `data_dir` and measures it: fill rate, stat, read, list,
// database size per file.
StatusOr<std::vector<Row>> MeasureTree(const std::string& data_dir, int64_t files, int samples) {
  ASSIGN_OR_RETURN(std::unique_ptr<ScaleTree> scale, ScaleTree::Open(data_dir));
  vfs::PathTree& tree = scale->tree();
  std::fprintf(stderr, "scale_bench: filling %lld files in %s\n", static_cast<long long>(files),
               data_dir.c_str());
  const Clock::time_point start = Clock::now();
  RETURN_IF_ERROR(Fill(tree, files));
  const double fill_s = MillisSince(start) / 1000;
  std::vector<Row> rows;
  rows.push_back(ValueRow("fill", files, static_cast<double>(files) / fill_s, "files/s"));
  rows.push_back(ValueRow("db-bytes-per-file", files,
                          static_cast<double>(scale->DatabaseBytes()) / files, "B"));
  ASSIGN_OR_RETURN(std::vector<double> stat, Time(samples, files, [&](int64_t i) {
                     return tree.Stat(FilePath(i)).status();
                   }));
  rows.push_back(LatencyRow("stat", files, stat));
  ASSIGN_OR_RETURN(std::vector<double> read, Time(samples, files, [&](int64_t i) {
                     return tree.Read(FilePath(i)).status();
                   }));
  rows.push_back(LatencyRow("read", files, read));
  const int64_t full_directories = files / kFilesPerDirectory;
  ASSIGN_OR_RETURN(std::vector<double> list, Time(samples / 40, full_directories, [&](int64_t d) {
                     return tree.List(DirectoryPath(d)).status();
                   }));
  rows.push_back(LatencyRow("list-1000", files, list));
  return rows;
}

// Starts `nexus serve` on `data_dir` and returns the ms until GET /health answers 200. The
// first start on a directory provisions the admin; later ones open what is there.
StatusOr<double> TimeStart(const std::string& nexus, const std::string& data_dir) {
  const Clock::time_point start = Clock::now();
  test::ServerProcess server(nexus, {"--data-dir", data_dir}, node::kDemoAdminKey);
  if (!server.started()) return Internal("nexus serve did not start: " + server.output());
  while (test::Fetch(server.port(), "GET", "/health").status != 200) {
    if (MillisSince(start) > 60000) return Internal("GET /health never answered 200");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const double ms = MillisSince(start);
  if (server.Stop() != 0) return Internal("nexus serve did not stop cleanly: " + server.output());
  return ms;
}

// Start times on `data_dir`: the first start, then the median of three restarts.
StatusOr<std::vector<Row>> MeasureStart(const std::string& nexus, const std::string& data_dir,
                                        int64_t files) {
  ASSIGN_OR_RETURN(const double first, TimeStart(nexus, data_dir));
  std::vector<double> restarts;
  for (int i = 0; i < 3; ++i) {
    ASSIGN_OR_RETURN(const double ms, TimeStart(nexus, data_dir));
    restarts.push_back(ms);
  }
  std::sort(restarts.begin(), restarts.end());
  return std::vector<Row>{ValueRow("start-first", files, first, "ms"),
                          ValueRow("start", files, restarts[1], "ms")};
}

// Compares the large tree's latency rows with the baseline's (p50 over p50) and sets the
// targets: stat and read within 1.5x, start under a second. list has no target here.
void Judge(std::vector<Row>& rows, int64_t files) {
  const std::vector<Row> baseline = rows;
  for (Row& row : rows) {
    if (row.files != files) continue;
    for (const Row& base : baseline) {
      if (base.files != kBaselineFiles || base.workload != row.workload || !base.p50_ms) continue;
      row.baseline = row.workload + "@" + std::to_string(kBaselineFiles);
      row.ratio = *row.p50_ms / *base.p50_ms;
    }
    if (row.workload == "stat" || row.workload == "read") {
      row.target = "p50 <= 1.5 x baseline";
      row.met = row.ratio && *row.ratio <= kMaxRatio;
    } else if (row.workload == "start") {
      row.target = "< 1000 ms";
      row.met = *row.value < kMaxStartMs;
    }
  }
}

std::string Cell(const std::optional<double>& v, const char* format) {
  if (!v) return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, *v);
  return text;
}

void PrintTable(const std::vector<Row>& rows) {
  const char* format = "%-18s %8s %8s %8s %14s %-15s %6s %-22s %s\n";
  std::printf(format, "workload", "files", "p50 ms", "p99 ms", "value", "baseline", "ratio",
              "target", "met");
  for (const Row& r : rows) {
    const std::string value = r.value ? Cell(r.value, "%.0f") + " " + r.unit : "-";
    std::printf(format, r.workload.c_str(), std::to_string(r.files).c_str(),
                Cell(r.p50_ms, "%.3f").c_str(), Cell(r.p99_ms, "%.3f").c_str(), value.c_str(),
                r.baseline.empty() ? "-" : r.baseline.c_str(), Cell(r.ratio, "%.2f").c_str(),
                r.target.empty() ? "-" : r.target.c_str(), r.met ? (*r.met ? "yes" : "no") : "-");
  }
}

Json ToJson(const Row& r, const std::string& run) {
  const auto number = [](const std::optional<double>& v) { return v ? Json(*v) : Json(); };
  const auto text = [](const std::string& s) { return s.empty() ? Json() : Json(s); };
  return Json{{"run", run},
              {"workload", r.workload},
              {"engine", "sqlite"},
              {"files", r.files},
              {"p50_ms", number(r.p50_ms)},
              {"p99_ms", number(r.p99_ms)},
              {"value", number(r.value)},
              {"unit", text(r.unit)},
              {"baseline", text(r.baseline)},
              {"ratio", number(r.ratio)},
              {"target", text(r.target)},
              {"met", r.met ? Json(*r.met) : Json()}};
}

// Appends `rows` to the JSON array in `path` (created with its directory if absent), each
// tagged with this run's UTC time so the runs stay apart.
Status AppendJson(const std::string& path, const std::vector<Row>& rows) {
  Json all = Json::array();
  if (std::ifstream in(path); in) {
    all = Json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!all.is_array()) return InvalidArgument(path + " is not a JSON array");
  }
  char run[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(run, sizeof run, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  for (const Row& r : rows) all.push_back(ToJson(r, run));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::trunc);
  out << all.dump(2) << "\n";
  return out ? Status::OK() : IOError("cannot write " + path);
}

Status Run(const Options& options) {
  std::vector<Row> rows;
  for (const int64_t files : {kBaselineFiles, options.files}) {
    const test::TempDir dir("nexus-scale");
    const std::string data_dir = dir.path() + "/data";
    ASSIGN_OR_RETURN(std::vector<Row> tree_rows, MeasureTree(data_dir, files, options.samples));
    ASSIGN_OR_RETURN(std::vector<Row> start_rows, MeasureStart(options.nexus, data_dir, files));
    rows.insert(rows.end(), tree_rows.begin(), tree_rows.end());
    rows.insert(rows.end(), start_rows.begin(), start_rows.end());
  }
  Judge(rows, options.files);
  PrintTable(rows);
  RETURN_IF_ERROR(AppendJson(options.json, rows));
  std::printf("rows appended to %s\n", options.json.c_str());
  return Status::OK();
}

// build/<preset>/nexus, three levels above this program's build/<preset>/src/bench/scale_bench.
std::string DefaultNexus() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path().parent_path().parent_path() / "nexus").string();
}

}  // namespace
}  // namespace nexus::bench

int main(int argc, char** argv) {
  nexus::bench::Options options;
  options.nexus = nexus::bench::DefaultNexus();
  CLI::App app("The path tree at scale: stat, read, list, start time and size (issue 8 §3)");
  app.add_option("--files", options.files, "Files in the large tree (1,000 to a directory)")
      ->check(CLI::Range(int64_t{1000}, int64_t{100000000}))
      ->capture_default_str();
  app.add_option("--samples", options.samples, "Timed stats and reads per tree")
      ->check(CLI::Range(40, 10000000))
      ->capture_default_str();
  app.add_option("--nexus", options.nexus, "The nexus binary to start")->capture_default_str();
  app.add_option("--json", options.json, "JSON array the rows are appended to")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const nexus::Status s = nexus::bench::Run(options);
  if (!s.ok()) {
    std::fprintf(stderr, "scale_bench: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

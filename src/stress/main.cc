// nexus-stress: drives a running Nexus server over HTTP with N concurrent clients and a
// weighted mix of calls, journals every acknowledged write, prints throughput, latency
// percentiles and errors by kind. `--verify FILE` checks an earlier journal instead.
// Exit status: 0 clean; 1 a 5xx, a transport error, an unexpected error code, a failed
// check or a lost write; 2 bad options or a server that cannot be prepared.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "stress/options.h"
#include "stress/runner.h"
#include "stress/verify.h"

namespace {

using namespace nexus::stress;

struct Flags {
  std::string url = "http://127.0.0.1:8080";
  std::string ca_file;
  int port = 0;
  std::string api_key;
  int clients = 16;
  double duration = 10;
  int64_t count = 0;
  std::string mix = kDefaultMix;
  std::string journal;
  std::string verify;
  std::string prefix = "stress";
  bool failover = false;
  double timeout = 30;
  uint64_t seed = 1;
};

// Each client holds up to RpcClient::kMaxParallel connections; the default soft limit of
// open files is too low for hundreds of clients.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int Verify(const ClientConfig& config, const std::string& file, int threads) {
  nexus::StatusOr<std::vector<JournalEntry>> entries = ReadJournal(file);
  if (!entries.ok()) {
    std::fprintf(stderr, "nexus-stress: %s\n", entries.status().message().c_str());
    return 2;
  }
  const VerifyReport report = VerifyJournal(config, *entries, threads);
  std::printf("verify %s: %s\n", file.c_str(), report.Summary().c_str());
  return report.ok() ? 0 : 1;
}

int Stress(const Flags& flags, const ClientConfig& config) {
  nexus::StatusOr<Mix> mix = Mix::Parse(flags.mix);
  if (!mix.ok()) {
    std::fprintf(stderr, "nexus-stress: %s\n", mix.status().message().c_str());
    return 2;
  }
  std::unique_ptr<JournalWriter> journal;
  if (!flags.journal.empty()) {
    nexus::StatusOr<std::unique_ptr<JournalWriter>> opened = JournalWriter::Open(flags.journal);
    if (!opened.ok()) {
      std::fprintf(stderr, "nexus-stress: %s\n", opened.status().message().c_str());
      return 2;
    }
    journal = std::move(opened).value();
  }
  nexus::StatusOr<Fixtures> fixtures = Prepare(config, *mix);
  if (!fixtures.ok()) {
    std::fprintf(stderr, "nexus-stress: preparing the server: %s\n",
                 fixtures.status().message().c_str());
    return 2;
  }
  RunOptions options;
  options.client = config;
  options.clients = flags.clients;
  options.duration = std::chrono::milliseconds(static_cast<int64_t>(flags.duration * 1000));
  options.count = flags.count;
  options.seed = flags.seed;
  options.journal = journal.get();
  const RunResult result = RunClients(options, *mix, *fixtures);
  std::printf("nexus-stress: %d clients, mix %s, %lld scenarios in %.1f s\n\n", flags.clients,
              flags.mix.c_str(), static_cast<long long>(result.scenarios), result.seconds);
  result.stats.Print(stdout, result.seconds);
  return result.stats.clean() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nexus-stress: load and verify a running Nexus server over HTTP"};
  Flags flags;
  app.add_option("--url", flags.url, "Server URL (http(s)://host[:port][/base])")
      ->capture_default_str();
  app.add_option("--ca-file", flags.ca_file, "PEM certificates to trust for https");
  app.add_option("--port", flags.port, "Port on 127.0.0.1 (overrides --url)");
  app.add_option("--api-key", flags.api_key,
                 "API key (default: $NEXUS_API_KEY, else $NEXUS_ADMIN_API_KEY)");
  app.add_option("--clients", flags.clients, "Concurrent clients")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  auto* duration = app.add_option("--duration", flags.duration, "Seconds to run")
                       ->capture_default_str()
                       ->check(CLI::PositiveNumber);
  app.add_option("--count", flags.count, "Scenarios to run in all (instead of --duration)")
      ->check(CLI::PositiveNumber)
      ->excludes(duration);
  app.add_option("--mix", flags.mix, "Weights and expected error codes per kind")
      ->capture_default_str();
  app.add_option("--journal", flags.journal, "Append every acknowledged write to FILE");
  app.add_option("--verify", flags.verify, "Check the journal FILE against the server and exit");
  app.add_option("--prefix", flags.prefix, "Folder under the caller's home for written files")
      ->capture_default_str();
  app.add_option("--timeout", flags.timeout, "Seconds to wait for one answer")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--failover", flags.failover,
               "Expect calls interrupted by a failure (503, a lost connection, a COMMIT of "
               "unknown outcome): count them apart, and report the longest write outage");
  app.add_option("--seed", flags.seed, "Random seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (flags.port != 0) flags.url = "http://127.0.0.1:" + std::to_string(flags.port);
  nexus::StatusOr<std::string> url = ServerUrl(flags.url);
  if (!url.ok()) {
    std::fprintf(stderr, "nexus-stress: %s\n", url.status().message().c_str());
    return 2;
  }
  ClientConfig config;
  config.url = *url;
  config.ca_file = flags.ca_file;
  config.api_key = flags.api_key;
  for (const char* var : {"NEXUS_API_KEY", "NEXUS_ADMIN_API_KEY"}) {
    if (config.api_key.empty() && std::getenv(var) != nullptr) config.api_key = std::getenv(var);
  }
  if (config.api_key.empty()) {
    std::fprintf(stderr, "nexus-stress: no API key (--api-key or $NEXUS_API_KEY)\n");
    return 2;
  }
  config.timeout = std::chrono::milliseconds(static_cast<int64_t>(flags.timeout * 1000));
  config.prefix = flags.prefix;
  config.failover = flags.failover;
  RaiseOpenFileLimit();
  if (!flags.verify.empty()) return Verify(config, flags.verify, flags.clients);
  return Stress(flags, config);
}

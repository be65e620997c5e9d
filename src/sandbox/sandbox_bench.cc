// Start-up latency of sandbox runs: the median of 20 trivial python and bash runs, and of
// 20 Creates. Not a test; run by hand (as root, like the server):
//
//   build/release/src/sandbox/sandbox_bench

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sandbox/bubblewrap_provider.h"
#include "testing/temp_dir.h"

namespace nexus::sandbox {
namespace {

constexpr int kRepetitions = 20;

double MedianMillis(const std::function<void(int)>& op) {
  std::vector<double> ms;
  for (int i = 0; i < kRepetitions; ++i) {
    const auto start = std::chrono::steady_clock::now();
    op(i);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return (ms[kRepetitions / 2 - 1] + ms[kRepetitions / 2]) / 2;
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

int Main() {
  std::unique_ptr<Provider> provider = NewBubblewrapProvider();
  Check(provider->Available(), "Available");
  test::TempDir dir("sandbox-bench");
  SandboxSpec spec;
  spec.id = "bench";
  spec.home_dir = dir.path() + "/home";
  Check(provider->Create(spec), "Create");

  auto run = [&](const char* language, const char* code) {
    return [&provider, &spec, language, code](int) {
      RunRequest request;
      request.language = language;
      request.code = code;
      StatusOr<RunResult> r = provider->Run(spec, request);
      Check(r.status(), "Run");
      if (r->exit_code != 0)
        std::fprintf(stderr, "exit %d: %s\n", r->exit_code, r->stderr_text.c_str());
    };
  };
  const double python = MedianMillis(run("python", "pass"));
  const double bash = MedianMillis(run("bash", "true"));
  const double node = MedianMillis(run("javascript", ""));
  const double create = MedianMillis([&](int i) {
    SandboxSpec s = spec;
    s.id = "bench-create-" + std::to_string(i);
    s.home_dir = dir.path() + "/create-" + std::to_string(i);
    Check(provider->Create(s), "Create");
  });
  std::printf(
      "median of %d: python3 -c pass %.1f ms, bash -c true %.1f ms, node -e '' %.1f ms, "
      "Create %.2f ms\n",
      kRepetitions, python, bash, node, create);
  return 0;
}

}  // namespace
}  // namespace nexus::sandbox

int main() { return nexus::sandbox::Main(); }

// The `nexus serve --config` file (cli/serve_options.h): YAML in the reference's layout.
#include <cstdint>
#include <string_view>

#include "cli/serve_options.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  nexus::cli::ServeOptions options;
  std::vector<std::string> ignored;
  // Half the inputs see every flag as set on the command line, so both paths are taken.
  const bool flags_win = size % 2 == 1;
  const nexus::Status status = nexus::cli::ApplyConfigText(
      yaml, "fuzz.yaml", options, [flags_win](std::string_view) { return flags_win; }, &ignored);
  if (!status.ok()) {
    FUZZ_CHECK(status.code() == nexus::Code::kInvalidArgument);
    return 0;
  }
  (void)nexus::cli::ValidateServeOptions(options);
  return 0;
}

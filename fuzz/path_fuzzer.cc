// Path normalisation (util/path.h): every path of every request goes through it once, and
// everything below trusts what it returns.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "util/path.h"

namespace {

// The properties path.h promises of a normalised path.
void CheckNormalised(std::string_view p) {
  FUZZ_CHECK(!p.empty() && p.front() == '/');
  FUZZ_CHECK(p.size() <= nexus::kMaxPathBytes);
  FUZZ_CHECK(p == "/" || p.back() != '/');
  FUZZ_CHECK(p.find("//") == std::string_view::npos);
  FUZZ_CHECK(p.find("/./") == std::string_view::npos && !p.ends_with("/."));
  FUZZ_CHECK(p.find("/../") == std::string_view::npos && !p.ends_with("/.."));
  FUZZ_CHECK(nexus::IsValidUtf8(p));
  for (const char c : p) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const nexus::StatusOr<std::string> path = nexus::NormalizePath(raw);
  const nexus::StatusOr<std::string> file = nexus::NormalizeFilePath(raw);
  if (!path.ok()) {
    FUZZ_CHECK(path.status().code() == nexus::Code::kInvalidPath);
    FUZZ_CHECK(!file.ok());
    return 0;
  }
  const std::string& p = *path;
  CheckNormalised(p);
  const nexus::StatusOr<std::string> again = nexus::NormalizePath(p);
  FUZZ_CHECK(again.ok() && *again == p);
  FUZZ_CHECK(file.ok() == (p != "/"));
  if (p == "/") return 0;
  const std::string_view parent = nexus::ParentPath(p);
  FUZZ_CHECK(nexus::JoinPath(parent, nexus::BaseName(p)) == p);
  FUZZ_CHECK(nexus::IsSameOrUnder(p, parent) && !nexus::IsSameOrUnder(parent, p));
  const auto [low, high] = nexus::SubtreeRange(parent);
  FUZZ_CHECK(low <= p && p < high);
  return 0;
}

#include "testing/temp_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace nexus::test {
namespace {

namespace fs = std::filesystem;

// A test may leave a directory without write or search permission (to provoke errors);
// removal needs both, all the way down.
void MakeRemovable(const fs::path& dir) {
  std::error_code ec;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec) && !e.is_symlink(ec)) MakeRemovable(e.path());
  }
}

}  // namespace

TempDir::TempDir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = (base != nullptr && *base != '\0') ? base : "/tmp";
  pattern += "/";
  pattern += prefix;
  pattern += "-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    std::fprintf(stderr, "TempDir: mkdtemp(%s): %s\n", pattern.c_str(), std::strerror(errno));
    std::abort();
  }
  parent_ = buf.data();
  path_ = parent_ + "/data";
  if (::mkdir(path_.c_str(), 0700) != 0) {
    std::fprintf(stderr, "TempDir: mkdir(%s): %s\n", path_.c_str(), std::strerror(errno));
    std::abort();
  }
}

TempDir::~TempDir() {
  std::error_code ec;  // best effort: a leftover directory must not fail the test
  if (fs::remove_all(parent_, ec) == static_cast<std::uintmax_t>(-1) || ec) {
    MakeRemovable(parent_);
    fs::remove_all(parent_, ec);
  }
}

}  // namespace nexus::test

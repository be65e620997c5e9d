// A temporary directory for one test, removed with everything in it on destruction.
#ifndef NEXUS_TESTING_TEMP_DIR_H_
#define NEXUS_TESTING_TEMP_DIR_H_

#include <string>
#include <string_view>

namespace nexus::test {

class TempDir {
 public:
  // Creates a fresh directory <prefix>-XXXXXX/data under $TMPDIR (or /tmp), both of mode
  // 0700, as `mktemp -d` inside `mktemp -d` makes them: the modes of a user's private data
  // directory, which nothing of the server (sandboxes included) may need loosened. Aborts
  // when it cannot: no test can run without it.
  explicit TempDir(std::string_view prefix = "nexus-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string parent_;  // the outer directory, removed with everything in it
  std::string path_;
};

}  // namespace nexus::test

#endif  // NEXUS_TESTING_TEMP_DIR_H_

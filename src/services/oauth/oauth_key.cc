#include "services/oauth/oauth_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "util/aead.h"
#include "util/base64.h"
#include "util/file.h"
#include "util/ids.h"
#include "util/unique_fd.h"

namespace nexus::services {
namespace {

StatusOr<std::string> DecodeKey(const std::string& base64, const std::string& what) {
  StatusOr<std::string> key = Base64Decode(base64);
  if (!key.ok() || key->size() != kAeadKeyBytes) {
    return InvalidArgument(what + " must be the base64 of " + std::to_string(kAeadKeyBytes) +
                           " random bytes (e.g. `openssl rand -base64 32`)");
  }
  return key;
}

StatusOr<std::string> ReadKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat " + path);
  if ((st.st_mode & 077) != 0) {
    return InvalidArgument("OAuth key file " + path +
                           " is accessible to group or others; chmod 600 it");
  }
  ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  return DecodeKey(trimmed, "OAuth key file " + path);
}

// The key is written and synced under a temporary name, then link()ed into place: the key
// file appears whole or not at all (a crash cannot leave an empty one), and link() never
// replaces, so of two processes starting at once one creates the file and the other reads it.
StatusOr<bool> CreateKeyFile(const std::string& path) {
  if (::access(path.c_str(), F_OK) == 0) return false;
  const std::string temp = path + ".tmp-" + RandomHex(8);
  {
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.valid()) return ErrnoStatus(errno, "create " + temp);
    Status written = WriteAll(fd.get(), Base64Encode(RandomBytes(kAeadKeyBytes)) + "\n", temp);
    if (written.ok() && ::fsync(fd.get()) != 0) written = ErrnoStatus(errno, "fsync " + temp);
    if (!written.ok()) {
      ::unlink(temp.c_str());
      return written;
    }
  }
  const bool linked = ::link(temp.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (!linked) {
    if (link_errno == EEXIST) return false;
    return ErrnoStatus(link_errno, "link " + path);
  }
  RETURN_IF_ERROR(SyncDirectory(std::filesystem::path(path).parent_path().string()));
  return true;
}

}  // namespace

StatusOr<std::string> LoadOAuthKey(const std::string& configured_base64,
                                   const std::string& key_file) {
  if (!configured_base64.empty()) return DecodeKey(configured_base64, "oauth.encryption_key");
  RETURN_IF_ERROR(CreateKeyFile(key_file).status());
  return ReadKeyFile(key_file);
}

}  // namespace nexus::services

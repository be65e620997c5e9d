#include "services/oauth_key.h"

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

// O_EXCL: of two processes starting at once, one creates the file and the other reads it.
StatusOr<bool> CreateKeyFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    if (errno == EEXIST) return false;
    return ErrnoStatus(errno, "create " + path);
  }
  RETURN_IF_ERROR(WriteAll(fd.get(), Base64Encode(RandomBytes(kAeadKeyBytes)) + "\n", path));
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "fsync " + path);
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

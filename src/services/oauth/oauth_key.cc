#include "services/oauth/oauth_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "cluster/secrets.h"
#include "util/aead.h"
#include "util/base64.h"
#include "util/file.h"
#include "util/hash.h"
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

// Names a key without revealing it, in messages and in the database.
std::string Fingerprint(const std::string& key) {
  return Sha256Hex("nexus oauth key fingerprint\n" + key).substr(0, 16);
}

Status Disagrees(const std::string& what, const std::string& mine, const std::string& agreed) {
  return Status(Code::kValidation,
                what + " (fingerprint " + mine +
                    ") differs from the key the other nodes of this database use (fingerprint " +
                    agreed +
                    "): give every node the same --oauth-encryption-key (NEXUS_OAUTH_KEY), or "
                    "none");
}

// Without a configured key: this node's key file (when it has one) is its proposal.
StatusOr<std::string> AgreedKey(storage::Engine& engine, const std::string& key_file) {
  const bool has_file = ::access(key_file.c_str(), F_OK) == 0;
  std::string proposed;
  if (has_file) {
    ASSIGN_OR_RETURN(proposed, ReadKeyFile(key_file));
  } else {
    proposed = RandomBytes(kAeadKeyBytes);
  }
  ASSIGN_OR_RETURN(const std::string agreed_base64,
                   cluster::AgreeOnSecret(engine, "oauth_key", Base64Encode(proposed)));
  ASSIGN_OR_RETURN(std::string agreed, DecodeKey(agreed_base64, "the database's OAuth key"));
  if (has_file && agreed != proposed) {
    return Disagrees("OAuth key file " + key_file, Fingerprint(proposed), Fingerprint(agreed));
  }
  return agreed;
}

}  // namespace

StatusOr<std::string> LoadSharedOAuthKey(storage::Engine& engine,
                                         const std::string& configured_base64,
                                         const std::string& key_file) {
  if (engine.dialect() == storage::Dialect::kSqlite) {
    return LoadOAuthKey(configured_base64, key_file);
  }
  std::string key;
  if (configured_base64.empty()) {
    ASSIGN_OR_RETURN(key, AgreedKey(engine, key_file));
  } else {
    ASSIGN_OR_RETURN(key, DecodeKey(configured_base64, "oauth.encryption_key"));
  }
  const std::string mine = Fingerprint(key);
  ASSIGN_OR_RETURN(const std::string agreed,
                   cluster::AgreeOnSecret(engine, "oauth_key_fingerprint", mine));
  if (agreed != mine) return Disagrees("this node's OAuth key", mine, agreed);
  return key;
}

StatusOr<std::string> LoadOAuthKey(const std::string& configured_base64,
                                   const std::string& key_file) {
  if (!configured_base64.empty()) return DecodeKey(configured_base64, "oauth.encryption_key");
  RETURN_IF_ERROR(CreateKeyFile(key_file).status());
  return ReadKeyFile(key_file);
}

}  // namespace nexus::services

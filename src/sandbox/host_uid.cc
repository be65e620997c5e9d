#include "sandbox/host_uid.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>

#include "util/file.h"

namespace nexus::sandbox {
namespace {

// FNV-1a: stable across builds and platforms, unlike std::hash.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool Searchable(const struct stat& st, uid_t uid, gid_t gid) {
  if (st.st_uid == uid) return (st.st_mode & S_IXUSR) != 0;
  if (st.st_gid == gid) return (st.st_mode & S_IXGRP) != 0;
  return (st.st_mode & S_IXOTH) != 0;
}

std::string OctalMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

uid_t SandboxHostUid(std::string_view sandbox_id) {
  return kFirstHostUid + static_cast<uid_t>(Fnv1a(sandbox_id) % kHostUidCount);
}

Status CheckReachable(const std::string& path, uid_t uid, gid_t gid) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat " + path);
  // Every proper ancestor, from the root down: "/a/b/c" checks "/", "/a", "/a/b".
  for (size_t slash = 0; slash != std::string::npos && slash < path.size();
       slash = path.find('/', slash + 1)) {
    const std::string dir = slash == 0 ? "/" : path.substr(0, slash);
    if (::stat(dir.c_str(), &st) != 0) return ErrnoStatus(errno, "stat " + dir);
    if (!Searchable(st, uid, gid)) {
      return PermissionDenied("sandbox uid " + std::to_string(uid) + " cannot reach " + path +
                              ": " + dir + " (mode " + OctalMode(st.st_mode) +
                              ") is not searchable by it");
    }
  }
  return Status::OK();
}

}  // namespace nexus::sandbox

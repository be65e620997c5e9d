#include "vfs/mount_table.h"

#include <algorithm>

#include "util/mutex.h"
#include "util/path.h"

namespace nexus::vfs {

Status MountTable::Add(Mount mount) {
  if (mount.mount_point == "/")
    return Status(Code::kValidation, "the root is not a mount point that can be added");
  MutexLock lock(&mu_);
  for (const auto& m : mounts_) {
    if (IsSameOrUnder(mount.mount_point, m->mount_point) ||
        IsSameOrUnder(m->mount_point, mount.mount_point)) {
      return Status(Code::kValidation, "Mount point " + mount.mount_point +
                                           " overlaps the existing mount " + m->mount_point +
                                           ": mounts cannot be nested");
    }
  }
  mounts_.push_back(std::make_shared<const Mount>(std::move(mount)));
  std::stable_sort(mounts_.begin(), mounts_.end(), [](const auto& a, const auto& b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    return a->mount_point.size() > b->mount_point.size();
  });
  return Status::OK();
}

std::shared_ptr<const Mount> MountTable::Remove(std::string_view mount_point) {
  MutexLock lock(&mu_);
  const auto it = std::find_if(mounts_.begin(), mounts_.end(),
                               [&](const auto& m) { return m->mount_point == mount_point; });
  if (it == mounts_.end()) return nullptr;
  std::shared_ptr<const Mount> removed = *it;
  mounts_.erase(it);
  return removed;
}

std::shared_ptr<const Mount> MountTable::Get(std::string_view mount_point) const {
  ReaderMutexLock lock(&mu_);
  for (const auto& m : mounts_) {
    if (m->mount_point == mount_point) return m;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const Mount>> MountTable::All() const {
  ReaderMutexLock lock(&mu_);
  return mounts_;
}

std::optional<Resolved> MountTable::Resolve(std::string_view path) const {
  ReaderMutexLock lock(&mu_);
  for (const auto& m : mounts_) {
    if (!IsSameOrUnder(path, m->mount_point)) continue;
    const std::string_view rest = path.substr(m->mount_point.size());
    return Resolved{m, std::string(rest.empty() ? rest : rest.substr(1))};
  }
  return std::nullopt;
}

std::vector<std::shared_ptr<const Mount>> MountTable::Below(std::string_view dir) const {
  ReaderMutexLock lock(&mu_);
  std::vector<std::shared_ptr<const Mount>> out;
  for (const auto& m : mounts_) {
    if (m->mount_point != dir && IsSameOrUnder(m->mount_point, dir)) out.push_back(m);
  }
  return out;
}

}  // namespace nexus::vfs

#include "vfs/mount_table.h"

#include <algorithm>

#include "util/mutex.h"
#include "util/path.h"

namespace nexus::vfs {

namespace {

const Mount* Overlapping(const std::vector<std::shared_ptr<const Mount>>& mounts,
                         const std::string& point) {
  for (const auto& m : mounts) {
    if (IsSameOrUnder(point, m->mount_point) || IsSameOrUnder(m->mount_point, point))
      return m.get();
  }
  return nullptr;
}

void SortForRouting(std::vector<std::shared_ptr<const Mount>>& mounts) {
  std::stable_sort(mounts.begin(), mounts.end(), [](const auto& a, const auto& b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    return a->mount_point.size() > b->mount_point.size();
  });
}

}  // namespace

Status ServedHere(const Mount& mount) {
  if (mount.served_here()) return Status::OK();
  return Status(Code::kUnavailable,
                "mount " + mount.mount_point + " is served by node " + mount.node_id,
                {{"owner_node", mount.node_id}});
}

Status MountTable::Add(Mount mount) {
  if (mount.mount_point == "/")
    return Status(Code::kValidation, "the root is not a mount point that can be added");
  MutexLock lock(&mu_);
  if (const Mount* m = Overlapping(mounts_, mount.mount_point)) {
    return Status(Code::kValidation,
                  "Mount point " + mount.mount_point + " overlaps the existing mount " +
                      m->mount_point +
                      (m->served_here() ? "" : " (served by node " + m->node_id + ")") +
                      ": mounts cannot be nested");
  }
  mounts_.push_back(std::make_shared<const Mount>(std::move(mount)));
  SortForRouting(mounts_);
  return Status::OK();
}

void MountTable::ReplaceRemote(std::vector<Mount> remote) {
  MutexLock lock(&mu_);
  std::erase_if(mounts_, [](const auto& m) { return !m->served_here(); });
  for (Mount& mount : remote) {
    if (mount.mount_point == "/" || Overlapping(mounts_, mount.mount_point) != nullptr) continue;
    mounts_.push_back(std::make_shared<const Mount>(std::move(mount)));
  }
  SortForRouting(mounts_);
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

#include "vfs/path_tree.h"

namespace nexus::vfs {
namespace {

// `first` then `second` for one hook; a failure of `first` skips `second` and fails the
// change. Either may be unset.
template <typename... Args>
std::function<Status(Args...)> Chain(std::function<Status(Args...)> first,
                                     std::function<Status(Args...)> second) {
  if (!first) return second;
  if (!second) return first;
  return [first = std::move(first), second = std::move(second)](Args... args) -> Status {
    RETURN_IF_ERROR(first(args...));
    return second(args...);
  };
}

std::function<void()> Chain(std::function<void()> first, std::function<void()> second) {
  if (!first) return second;
  if (!second) return first;
  return [first = std::move(first), second = std::move(second)] {
    first();
    second();
  };
}

}  // namespace

PathTreeHooks ChainHooks(PathTreeHooks first, PathTreeHooks second) {
  PathTreeHooks out;
  out.created = Chain(std::move(first.created), std::move(second.created));
  out.renamed = Chain(std::move(first.renamed), std::move(second.renamed));
  out.removed = Chain(std::move(first.removed), std::move(second.removed));
  out.written = Chain(std::move(first.written), std::move(second.written));
  out.metadata_changed =
      Chain(std::move(first.metadata_changed), std::move(second.metadata_changed));
  out.committed = Chain(std::move(first.committed), std::move(second.committed));
  return out;
}

}  // namespace nexus::vfs

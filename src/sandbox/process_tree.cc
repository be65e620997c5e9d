#include "sandbox/process_tree.h"

#include <dirent.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

namespace nexus::sandbox {
namespace {

constexpr int kMaxWalks = 64;

// Appends the children of every thread of `pid` (a thread that forked is their parent).
void AppendChildren(pid_t pid, std::vector<pid_t>* out) {
  const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(task_dir.c_str());
  if (dir == nullptr) return;  // exited meanwhile
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const std::string path = task_dir + "/" + e->d_name + "/children";
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) continue;
    long child = 0;
    while (std::fscanf(f, "%ld", &child) == 1) out->push_back(static_cast<pid_t>(child));
    std::fclose(f);
  }
  ::closedir(dir);
}

}  // namespace

std::vector<pid_t> ProcessTree(pid_t root) {
  std::vector<pid_t> tree = {root};
  for (size_t i = 0; i < tree.size(); ++i) AppendChildren(tree[i], &tree);
  return tree;
}

int SignalTree(pid_t root, int sig) {
  std::set<pid_t> signalled;
  for (int walk = 0; walk < kMaxWalks; ++walk) {
    bool found_new = false;
    for (pid_t pid : ProcessTree(root)) {
      if (pid == root || !signalled.insert(pid).second) continue;
      found_new = true;
      ::kill(pid, sig);
    }
    if (!found_new) break;
  }
  return static_cast<int>(signalled.size());
}

}  // namespace nexus::sandbox

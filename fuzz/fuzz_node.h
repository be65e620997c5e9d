// A real node (node/node.h) on a temporary data directory, removed when the fuzzer exits, and
// its system administrator: what the fuzz targets of the server's faces call into. Sandboxes
// are off (each input would start a jail); every other service is the server's own.
#ifndef NEXUS_FUZZ_FUZZ_NODE_H_
#define NEXUS_FUZZ_FUZZ_NODE_H_

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "auth/identity.h"
#include "fuzz/fuzz_check.h"
#include "node/node.h"

namespace nexus::fuzz {

class FuzzNode {
 public:
  FuzzNode() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/nexus-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    nexus::node::NodeOptions options;
    options.data_dir = dir_;
    options.durability = storage::Durability::kNormal;  // fsync per input is wasted
    options.sandboxes = false;
    StatusOr<std::unique_ptr<nexus::node::Node>> node = nexus::node::Node::Open(options);
    if (!node.ok()) std::fprintf(stderr, "node: %s\n", node.status().ToString().c_str());
    FUZZ_CHECK(node.ok());
    node_ = std::move(node).value();
    admin_.subject_type = "user";
    admin_.subject_id = admin_.user_id = "admin";
    admin_.tenant_id = "default";
    admin_.is_admin = true;
  }
  ~FuzzNode() {
    node_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  const nexus::node::Node& node() const { return *node_; }
  const auth::Identity& admin() const { return admin_; }

 private:
  std::string dir_;
  std::unique_ptr<nexus::node::Node> node_;
  auth::Identity admin_;
};

}  // namespace nexus::fuzz

#endif  // NEXUS_FUZZ_FUZZ_NODE_H_

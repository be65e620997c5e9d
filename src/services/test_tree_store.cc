#include "services/test_tree_store.h"

#include "services/permission_hooks.h"

namespace nexus::services {

void TreeStoreTest::SetUp() {
  store_ = test::OpenTestStore(GetParam());
  if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
  rebac_ = std::make_unique<rebac::Rebac>(*store_.engine);
  tree_ = std::make_unique<vfs::PathTree>(*store_.engine, *store_.blobs, PermissionHooks(*rebac_));
}

}  // namespace nexus::services

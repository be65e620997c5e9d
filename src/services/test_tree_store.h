// The fixture most tests of the services stand on: a fresh store on the engine the test is
// instantiated with, ReBAC on it, and a path tree whose permission hooks keep the tuples in
// step with the paths, assembled as a node assembles them. Test code only.
//
//   class FooTest : public services::TreeStoreTest {
//    protected:
//     void SetUp() override {
//       TreeStoreTest::SetUp();
//       if (!store_.engine) return;  // skipped (no PostgreSQL) or failed
//       foo_ = std::make_unique<Foo>(*store_.engine, *tree_);
//     }
//   };
//   INSTANTIATE_TEST_SUITE_P(Engines, FooTest, ...);
#ifndef NEXUS_SERVICES_TEST_TREE_STORE_H_
#define NEXUS_SERVICES_TEST_TREE_STORE_H_

#include <memory>

#include <gtest/gtest.h>

#include "rebac/rebac.h"
#include "testing/test_store.h"
#include "vfs/path_tree.h"

namespace nexus::services {

class TreeStoreTest : public ::testing::TestWithParam<test::EngineKind> {
 protected:
  // Leaves store_.engine null when the test was skipped or failed to open the store.
  void SetUp() override;

  test::TestStore store_;
  std::unique_ptr<rebac::Rebac> rebac_;
  std::unique_ptr<vfs::PathTree> tree_;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_TEST_TREE_STORE_H_

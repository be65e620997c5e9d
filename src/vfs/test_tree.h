// The fixture of the path tree's tests: a fresh store on the engine the test is instantiated
// with, a path tree over it without hooks, and after each test the check that every blob
// reference is consistent. Test code only.
#ifndef NEXUS_VFS_TEST_TREE_H_
#define NEXUS_VFS_TEST_TREE_H_

#include <memory>

#include <gtest/gtest.h>

#include "testing/blob_check.h"
#include "testing/test_store.h"
#include "vfs/path_tree.h"

namespace nexus::vfs {

class TreeTest : public ::testing::TestWithParam<test::EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    tree_ = std::make_unique<PathTree>(*store_.engine, *store_.blobs);
  }

  void TearDown() override { test::ExpectBlobsConsistent(store_); }

  test::TestStore store_;
  std::unique_ptr<PathTree> tree_;
};

}  // namespace nexus::vfs

#endif  // NEXUS_VFS_TEST_TREE_H_

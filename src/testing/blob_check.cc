#include "testing/blob_check.h"

#include <gtest/gtest.h>

#include "storage/blob_refs.h"

namespace nexus::test {

void ExpectBlobsConsistent(TestStore& store) {
  if (!store.engine) return;
  auto report = storage::CheckBlobs(*store.engine, *store.blobs);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << "blob references are inconsistent after the test";
}

}  // namespace nexus::test

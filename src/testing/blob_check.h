// The check of blob references that tests writing through the path tree make after each
// test.
#ifndef NEXUS_TESTING_BLOB_CHECK_H_
#define NEXUS_TESTING_BLOB_CHECK_H_

#include "testing/test_store.h"

namespace nexus::test {

// Fails the current test unless every blob reference of `store` is consistent
// (storage::CheckBlobs: orphans are the sweeper's work, not an inconsistency). A store that
// did not open (a skipped test) has nothing to check.
void ExpectBlobsConsistent(TestStore& store);

}  // namespace nexus::test

#endif  // NEXUS_TESTING_BLOB_CHECK_H_

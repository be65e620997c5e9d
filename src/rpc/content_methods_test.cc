#include "rpc/content_methods.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "rpc/dispatcher.h"

namespace nexus::rpc {
namespace {

TEST(ContentMethodsTest, ContentMethodsAreThoseThatTakeFiles) {
  EXPECT_TRUE(CarriesContent("write"));
  EXPECT_TRUE(CarriesContent("skills_import"));
  EXPECT_TRUE(CarriesContent("store_memory"));
  for (const char* method : {"read", "list", "delete_bulk", "rebac_check_batch", "sandbox_create",
                             "admin_create_key", "", "writ", "write_batchx"}) {
    EXPECT_FALSE(CarriesContent(method)) << method;
  }
}

// A method renamed or removed must not leave a stale name in the list: its content would
// then be refused above 1 MiB.
TEST(ContentMethodsTest, EveryContentMethodExists) {
  const Dispatcher dispatcher{session::Services{}};
  const std::vector<std::string> names = dispatcher.MethodNames();
  int found = 0;
  for (const std::string& name : names) found += CarriesContent(name) ? 1 : 0;
  EXPECT_EQ(found, 13);
}

}  // namespace
}  // namespace nexus::rpc

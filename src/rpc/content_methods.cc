#include "rpc/content_methods.h"

#include <algorithm>
#include <array>

namespace nexus::rpc {
namespace {

// Sorted, for binary search.
constexpr std::array<std::string_view, 13> kContentMethods = {
    "append",
    "import_metadata",
    "sandbox_run",
    "skills_create_from_content",
    "skills_create_from_file",
    "skills_import",
    "skills_validate_zip",
    "store_memory",
    "update_memory",
    "upload_part",
    "write",
    "write_batch",
    "write_stream",
};
static_assert(std::is_sorted(kContentMethods.begin(), kContentMethods.end()));

}  // namespace

bool CarriesContent(std::string_view method) {
  return std::binary_search(kContentMethods.begin(), kContentMethods.end(), method);
}

}  // namespace nexus::rpc

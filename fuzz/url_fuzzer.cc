// Outbound URL parsing (util/url.h): webhook targets and OAuth endpoints come from users,
// and the outbound client sends requests only where ParseHttpUrl says.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "util/url.h"

namespace {

// What the client puts on the wire comes from these fields: nothing in them may end a line
// or a header.
void CheckWireSafe(std::string_view s) {
  for (const char c : s) FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && c != 0x7f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const nexus::StatusOr<nexus::HttpUrl> url = nexus::ParseHttpUrl(raw);
  if (!url.ok()) {
    FUZZ_CHECK(url.status().code() == nexus::Code::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(url->scheme == "http" || url->scheme == "https");
  FUZZ_CHECK(!url->host.empty() && url->host.find('@') == std::string::npos);
  FUZZ_CHECK(url->port != 0);
  FUZZ_CHECK(url->target.starts_with('/') && url->target.find('#') == std::string::npos);
  CheckWireSafe(url->host);
  CheckWireSafe(url->target);
  // Written back out, the URL parses to the same parts.
  const std::string again_text = url->scheme + "://" + url->HostHeader() + url->target;
  const nexus::StatusOr<nexus::HttpUrl> again = nexus::ParseHttpUrl(again_text);
  FUZZ_CHECK(again.ok() && again->host == url->host && again->port == url->port &&
             again->target == url->target && again->scheme == url->scheme);
  return 0;
}

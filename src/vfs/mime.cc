#include "vfs/mime.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "util/path.h"

namespace nexus::vfs {

std::string GuessMimeType(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 28> kTypes = {{
      {"txt", "text/plain"},
      {"md", "text/markdown"},
      {"markdown", "text/markdown"},
      {"html", "text/html"},
      {"htm", "text/html"},
      {"css", "text/css"},
      {"csv", "text/csv"},
      {"js", "text/javascript"},
      {"mjs", "text/javascript"},
      {"ts", "text/x-typescript"},
      {"py", "text/x-python"},
      {"sh", "text/x-shellscript"},
      {"c", "text/x-c"},
      {"h", "text/x-c"},
      {"cc", "text/x-c++"},
      {"cpp", "text/x-c++"},
      {"json", "application/json"},
      {"yaml", "application/yaml"},
      {"yml", "application/yaml"},
      {"xml", "application/xml"},
      {"pdf", "application/pdf"},
      {"zip", "application/zip"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"svg", "image/svg+xml"},
      {"toml", "application/toml"},
  }};
  const std::string_view name = BaseName(path);
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == name.size()) return "application/octet-stream";
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return std::string(type);
  }
  return "application/octet-stream";
}

}  // namespace nexus::vfs

#include "rpc/mcp/features.h"
#include "util/base64.h"
#include "util/utf8.h"

namespace nexus::rpc::mcp {
namespace {

constexpr std::string_view kScheme = "nexus://";

bool KeptInUri(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '/' || c == ':' || c == '@';
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string ResourceUri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri(kScheme);
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (KeptInUri(c)) {
      uri += ch;
    } else {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 15];
    }
  }
  return uri;
}

StatusOr<std::string> ResourcePath(const std::string& uri) {
  if (!uri.starts_with(kScheme))
    return InvalidArgument("not a Nexus resource URI (nexus:///path): " + uri);
  std::string path;
  for (size_t i = kScheme.size(); i < uri.size(); ++i) {
    if (uri[i] != '%') {
      path += uri[i];
      continue;
    }
    const int hi = i + 2 < uri.size() ? HexDigit(uri[i + 1]) : -1;
    const int lo = hi >= 0 ? HexDigit(uri[i + 2]) : -1;
    if (lo < 0) return InvalidArgument("malformed percent-escape in resource URI: " + uri);
    path += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (!path.starts_with('/'))
    return InvalidArgument("a resource URI names an absolute path: " + uri);
  return path;
}

StatusOr<Json> ListResources(const MethodCaller& caller, const std::string& cursor) {
  Json params{{"path", "/"}, {"recursive", true}, {"details", true}, {"limit", kResourcePageSize}};
  if (!cursor.empty()) params["cursor"] = cursor;
  ASSIGN_OR_RETURN(const Json listed, caller.Call("list", std::move(params)));
  Json resources = Json::array();
  for (const Json& file : listed["files"]) {
    if (file["is_directory"].get<bool>()) continue;
    const std::string path = file["path"].get<std::string>();
    Json resource{{"uri", ResourceUri(path)},
                  {"name", BaseName(path)},
                  {"title", path},
                  {"size", file["size"]}};
    if (file["mime_type"].is_string()) resource["mimeType"] = file["mime_type"];
    resources.push_back(std::move(resource));
  }
  Json out{{"resources", std::move(resources)}};
  if (listed["has_more"].get<bool>()) out["nextCursor"] = listed["next_cursor"];
  return out;
}

StatusOr<Json> ReadResource(const MethodCaller& caller, const std::string& uri) {
  ASSIGN_OR_RETURN(const std::string path, ResourcePath(uri));
  ASSIGN_OR_RETURN(const Json read, caller.Call("read", Json{{"path", path}}));
  const auto& bytes = read.get_binary();
  const std::string_view content(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  Json item{{"uri", uri}};
  if (IsValidUtf8(content) && content.find('\0') == std::string_view::npos) {
    item["text"] = std::string(content);
  } else {
    item["blob"] = Base64Encode(content);
  }
  return Json{{"contents", Json::array({std::move(item)})}};
}

Json ResourceTemplates() {
  return Json{{"resourceTemplates",
               Json::array({Json{{"uriTemplate", "nexus://{+path}"},
                                 {"name", "file"},
                                 {"title", "A file of the Nexus tree"},
                                 {"description",
                                  "Any file the caller may read, by its absolute path, e.g. "
                                  "nexus:///workspace/notes.md."}}})}};
}

}  // namespace nexus::rpc::mcp

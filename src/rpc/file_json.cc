#include "rpc/file_json.h"

#include "util/clock.h"

namespace nexus::rpc {

Json WriteResultJson(const vfs::FileInfo& info) {
  return Json{{"etag", info.etag},
              {"version", info.version},
              {"modified_at", DateTimeValue(info.modified_at)},
              {"size", info.size}};
}

void AppendListEntryWire(const vfs::FileInfo& info, std::string* out) {
  // Keys in the order EncodeWire sorts them, so the text is what a Json tree would give.
  if (info.is_directory) {
    out->append(R"({"created_at":null,"etag":null,"is_directory":true,"mime_type":null,)"
                R"("modified_at":null,"path":)");
    AppendWireString(info.path, out);
    out->append(R"(,"size":0})");
    return;
  }
  out->append(R"({"created_at":)");
  AppendWireDateTime(info.created_at, out);
  out->append(R"(,"etag":)");
  AppendWireString(info.etag, out);
  out->append(R"(,"is_directory":false,"mime_type":)");
  AppendWireString(info.mime_type, out);
  out->append(R"(,"modified_at":)");
  AppendWireDateTime(info.modified_at, out);
  out->append(R"(,"path":)");
  AppendWireString(info.path, out);
  out->append(R"(,"size":)");
  out->append(std::to_string(info.size));
  out->push_back('}');
}

Json MetadataJson(const vfs::FileInfo& info) {
  if (info.is_directory) {
    return Json{{"path", info.path},     {"size", 4096},           {"mime_type", "inode/directory"},
                {"created_at", nullptr}, {"modified_at", nullptr}, {"is_directory", true},
                {"owner", info.owner},   {"group", info.owner},    {"mode", 0755}};
  }
  return Json{{"path", info.path},
              {"size", info.size},
              {"mime_type", info.mime_type.empty() ? "application/octet-stream" : info.mime_type},
              {"created_at", FormatIsoMicros(info.created_at)},
              {"modified_at", FormatIsoMicros(info.modified_at)},
              {"is_directory", false},
              {"owner", info.owner},
              {"group", info.owner},
              {"mode", 0644}};
}

}  // namespace nexus::rpc

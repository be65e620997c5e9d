#include "rpc/file_json.h"

#include "util/clock.h"

namespace nexus::rpc {

Json WriteResultJson(const vfs::FileInfo& info) {
  return Json{{"etag", info.etag},
              {"version", info.version},
              {"modified_at", DateTimeValue(info.modified_at)},
              {"size", info.size}};
}

Json ListEntryJson(const vfs::FileInfo& info) {
  // Filled member by member (see DateTimeValue): a listing builds one of these per entry.
  Json entry(Json::value_t::object);
  entry["path"] = info.path;
  entry["is_directory"] = info.is_directory;
  if (info.is_directory) {
    entry["size"] = 0;
    for (const char* absent : {"modified_at", "created_at", "etag", "mime_type"}) {
      entry[absent] = nullptr;
    }
    return entry;
  }
  entry["size"] = info.size;
  entry["modified_at"] = DateTimeValue(info.modified_at);
  entry["created_at"] = DateTimeValue(info.created_at);
  entry["etag"] = info.etag;
  entry["mime_type"] = info.mime_type;
  return entry;
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

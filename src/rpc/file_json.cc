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
  if (info.is_directory) {
    return Json{{"path", info.path},     {"size", 0},       {"modified_at", nullptr},
                {"created_at", nullptr}, {"etag", nullptr}, {"mime_type", nullptr},
                {"is_directory", true}};
  }
  return Json{{"path", info.path},
              {"size", info.size},
              {"modified_at", DateTimeValue(info.modified_at)},
              {"created_at", DateTimeValue(info.created_at)},
              {"etag", info.etag},
              {"mime_type", info.mime_type},
              {"is_directory", false}};
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

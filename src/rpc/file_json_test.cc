#include "rpc/file_json.h"

#include <gtest/gtest.h>

#include <string>

namespace nexus::rpc {
namespace {

TEST(FileJsonTest, ListEntryOfAFile) {
  vfs::FileInfo info;
  info.path = "/t/a \"q\"\n\xc3\xa9.txt";
  info.size = 1024;
  info.etag = "abc";
  info.mime_type = "text/plain";
  info.created_at = 0;
  info.modified_at = 1766000000123456;
  std::string out = "[";
  AppendListEntryWire(info, &out);
  EXPECT_EQ(out,
            R"([{"created_at":{"__type__":"datetime","data":"1970-01-01T00:00:00.000000+00:00"},)"
            R"("etag":"abc","is_directory":false,"mime_type":"text/plain","modified_at":)"
            R"({"__type__":"datetime","data":"2025-12-17T19:33:20.123456+00:00"},)"
            "\"path\":\"/t/a \\\"q\\\"\\n\xc3\xa9.txt\",\"size\":1024}");
  // The same text a Json tree of the entry encodes to.
  const Json tree = {{"path", info.path},
                     {"size", info.size},
                     {"modified_at", DateTimeValue(info.modified_at)},
                     {"created_at", DateTimeValue(info.created_at)},
                     {"etag", info.etag},
                     {"mime_type", info.mime_type},
                     {"is_directory", false}};
  EXPECT_EQ(out.substr(1), EncodeWire(tree));
}

std::string DirectoryEntry(const std::string& path) {
  vfs::FileInfo info;
  info.path = path;
  info.is_directory = true;
  std::string out;
  AppendListEntryWire(info, &out);
  return out;
}

TEST(FileJsonTest, ListEntryOfADirectoryHasNulls) {
  EXPECT_EQ(DirectoryEntry("/t/dir"),
            R"({"created_at":null,"etag":null,"is_directory":true,"mime_type":null,)"
            R"("modified_at":null,"path":"/t/dir","size":0})");
}

TEST(FileJsonTest, InvalidUtf8InAPathIsReplaced) {
  const std::string out = DirectoryEntry("/t/\xff");
  EXPECT_NE(out.find("\"path\":\"/t/\xef\xbf\xbd\""), std::string::npos) << out;
}

}  // namespace
}  // namespace nexus::rpc

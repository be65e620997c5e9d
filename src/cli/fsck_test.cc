// `nexus fsck` as a separate process: a clean store passes, a damaged one is reported, and
// a store in use by another process is refused without harm to that process.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "node/schema.h"
#include "storage/store.h"
#include "testing/temp_dir.h"
#include "util/hash.h"
#include "vfs/path_tree.h"

namespace nexus::cli {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Outcome RunNexus(const std::string& args) {
  Outcome out;
  const std::string cmd = std::string(NEXUS_BINARY) + " " + args + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.output.append(buf, n);
  const int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class FsckTest : public ::testing::Test {
 protected:
  storage::Store OpenStore() {
    auto store =
        storage::OpenStore({.data_dir = dir_.path(), .database_url = "", .schema = node::Schema()});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(store).value();
  }

  std::string WriteFile(storage::Store& store, const std::string& path,
                        const std::string& content) {
    vfs::PathTree tree(*store.engine, *store.blobs);
    auto info = tree.Write(vfs::Actor{"admin"}, path, content);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? info->etag : "";
  }

  test::TempDir dir_;
};

TEST_F(FsckTest, CleanStorePasses) {
  {
    storage::Store store = OpenStore();
    WriteFile(store, "/a/b.txt", "hello");
    WriteFile(store, "/a/b.txt", "hello again");
  }
  const Outcome out = RunNexus("fsck --data-dir " + dir_.path());
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("ok"), std::string::npos);
}

TEST_F(FsckTest, MissingBlobIsReported) {
  std::string hash;
  {
    storage::Store store = OpenStore();
    hash = WriteFile(store, "/doc.md", "# title");
  }
  const std::string blob =
      dir_.path() + "/cas/" + hash.substr(0, 2) + "/" + hash.substr(2, 2) + "/" + hash;
  ASSERT_EQ(::unlink(blob.c_str()), 0);
  const Outcome out = RunNexus("fsck --data-dir " + dir_.path());
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_NE(out.output.find("missing " + hash), std::string::npos) << out.output;
}

// Runs `sql` on the store's database behind its back, foreign keys off (sqlite3's default).
void Corrupt(const std::string& data_dir, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((data_dir + "/nexus.db").c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST_F(FsckTest, RowsNamingUnrecordedBlobsAreReported) {
  std::string hash;
  {
    storage::Store store = OpenStore();
    hash = WriteFile(store, "/doc.md", "# title");
  }
  const std::string lost_version = Sha256Hex("a version's lost blob");
  const std::string lost_snapshot = Sha256Hex("a snapshot's lost blob");
  Corrupt(dir_.path(), "UPDATE versions SET hash = '" + lost_version + "' WHERE hash = '" + hash +
                           "'; INSERT INTO workspace_snapshot_files (snapshot_id, path, hash, size)"
                           " VALUES ('s', 'f', '" +
                           lost_snapshot + "', 1)");
  const Outcome out = RunNexus("fsck --data-dir " + dir_.path());
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_NE(out.output.find("unrecorded " + lost_version), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("unrecorded " + lost_snapshot), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("missing " + lost_version), std::string::npos) << out.output;
}

TEST_F(FsckTest, StoreInUseByAnotherProcessIsRefusedAndTheOwnerIsUnharmed) {
  storage::Store store = OpenStore();
  WriteFile(store, "/before.txt", "1");
  const Outcome out = RunNexus("fsck --data-dir " + dir_.path());
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("in use"), std::string::npos) << out.output;
  WriteFile(store, "/after.txt", "2");
  vfs::PathTree tree(*store.engine, *store.blobs);
  auto read = tree.Read("/before.txt");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->content, "1");
  EXPECT_TRUE(store.engine->CheckIntegrity().ok());
}

TEST_F(FsckTest, UnknownFlagIsAUsageError) {
  const Outcome out = RunNexus("fsck --no-such-flag");
  EXPECT_NE(out.exit_code, 0);
  EXPECT_NE(out.output.find("no-such-flag"), std::string::npos) << out.output;
}

}  // namespace
}  // namespace nexus::cli

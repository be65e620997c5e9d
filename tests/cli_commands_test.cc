// The `nexus` command line against a real server on both engines: each command in human and
// --json form, exit statuses, the messages of bad input, and colour only on a terminal.
#include <sys/stat.h>

#include <filesystem>

#include "tests/cli_test_fixture.h"
#include "util/file.h"

namespace nexus::e2e {
namespace {

using test::ChildOptions;
using test::ChildResult;

TEST_P(CliTest, WritesReadsAndListsFiles) {
  ChildResult w = NexusWithInput({"write", "/workspace/a.txt"}, "hello\nworld\n");
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(w.out, "Wrote 12 B to /workspace/a.txt (version 1)\n");
  EXPECT_EQ(Ok({"cat", "/workspace/a.txt"}), "hello\nworld\n");
  ASSERT_EQ(NexusWithInput({"append", "/workspace/a.txt"}, "more\n").exit_code, 0);
  EXPECT_EQ(Ok({"cat", "/workspace/a.txt"}), "hello\nworld\nmore\n");
  Ok({"mkdir", "-p", "/workspace/d/e"});
  ASSERT_EQ(NexusWithInput({"write", "/workspace/d/e/.hidden"}, "h").exit_code, 0);
  ASSERT_EQ(NexusWithInput({"write", "/workspace/d/f.md"}, "# title\n").exit_code, 0);

  EXPECT_EQ(Ok({"ls", "/workspace"}), "a.txt\nd/\n");
  const std::string long_listing = Ok({"ls", "-l", "/workspace"});
  EXPECT_TRUE(Contains(long_listing, "17 B")) << long_listing;
  EXPECT_TRUE(Contains(long_listing, "a.txt")) << long_listing;
  EXPECT_EQ(Ok({"ls", "-R", "/workspace"}), "a.txt\nd/\nd/e/\nd/f.md\n");
  EXPECT_EQ(Ok({"ls", "-R", "-a", "/workspace"}), "a.txt\nd/\nd/e/\nd/e/.hidden\nd/f.md\n");
  EXPECT_EQ(Ok({"tree", "/workspace/d"}),
            "/workspace/d\n├── e\n│   └── .hidden\n└── f.md\n\n1 directory, 2 files\n");

  const std::string stat = Ok({"stat", "/workspace/a.txt"});
  EXPECT_TRUE(Contains(stat, "size:       17 B (17 bytes)")) << stat;
  EXPECT_TRUE(Contains(stat, "version:    2")) << stat;
  EXPECT_EQ(Ok({"info", "/workspace/a.txt"}), stat);
}

TEST_P(CliTest, CopiesMovesAndRemoves) {
  ASSERT_EQ(NexusWithInput({"write", "/workspace/a"}, "same").exit_code, 0);
  EXPECT_EQ(Ok({"cp", "/workspace/a", "/workspace/b"}), "Copied /workspace/a to /workspace/b\n");
  EXPECT_EQ(Ok({"find-duplicates", "/workspace"}),
            "2 copies, 4 B each:\n  /workspace/a\n  /workspace/b\n");
  EXPECT_EQ(Ok({"mv", "/workspace/b", "/workspace/c"}), "Moved /workspace/b to /workspace/c\n");
  EXPECT_EQ(Ok({"ls", "/workspace"}), "a\nc\n");
  Ok({"mkdir", "-p", "/workspace/dir/sub"});
  ASSERT_EQ(NexusWithInput({"write", "/workspace/dir/sub/x"}, "x").exit_code, 0);
  ChildResult refused = Nexus({"rm", "/workspace/dir"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, "nexus: /workspace/dir is a directory (use rm -r)\n");
  Ok({"rm", "-r", "/workspace/dir", "/workspace/c"});
  EXPECT_EQ(Ok({"ls", "/workspace"}), "a\n");
  EXPECT_EQ(Nexus({"rm", "/workspace/gone"}).exit_code, 3);
  EXPECT_EQ(Nexus({"rm", "-f", "/workspace/gone"}).exit_code, 0);
  Ok({"mkdir", "/workspace/empty"});
  EXPECT_EQ(Ok({"rmdir", "/workspace/empty"}), "Removed /workspace/empty\n");
}

TEST_P(CliTest, GlobAndGrep) {
  ASSERT_EQ(NexusWithInput({"write", "/workspace/src/a.md"}, "Alpha\nbeta\n").exit_code, 0);
  ASSERT_EQ(NexusWithInput({"write", "/workspace/src/b.txt"}, "ALPHA beta\n").exit_code, 0);
  EXPECT_EQ(Ok({"glob", "*.md", "/workspace/src"}), "/workspace/src/a.md\n");
  EXPECT_EQ(Ok({"grep", "beta", "/workspace/src"}),
            "/workspace/src/a.md:beta\n/workspace/src/b.txt:ALPHA beta\n");
  EXPECT_EQ(Ok({"grep", "-n", "-i", "^alpha", "/workspace/src"}),
            "/workspace/src/a.md:1:Alpha\n/workspace/src/b.txt:1:ALPHA beta\n");
  EXPECT_EQ(Ok({"grep", "-l", "a", "/workspace/src"}),
            "/workspace/src/a.md\n/workspace/src/b.txt\n");
  ChildResult none = Nexus({"grep", "zeta", "/workspace/src"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.out, "");
  ChildResult bad = Nexus({"grep", "(", "/workspace/src"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(Contains(bad.err, "nexus: ")) << bad.err;
}

TEST_P(CliTest, JsonOutputIsTheServersAnswer) {
  ChildOptions input;
  input.stdin_data = "abc";
  ChildResult w = Nexus({"--json", "write", "/workspace/j.txt"}, input);
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const Json written = Json::parse(w.out);
  EXPECT_EQ(written["bytes_written"]["size"], 3);
  EXPECT_EQ(written["bytes_written"]["version"], 1);
  const Json listing = JsonOf({"ls", "/workspace"});
  ASSERT_EQ(listing["files"].size(), 1u);
  EXPECT_EQ(listing["files"][0]["path"], "/workspace/j.txt");
  EXPECT_EQ(listing["files"][0]["size"], 3);
  const Json meta = JsonOf({"stat", "/workspace/j.txt"});
  EXPECT_EQ(meta["path"], "/workspace/j.txt");
  EXPECT_EQ(meta["is_directory"], false);
  const Json content = JsonOf({"cat", "/workspace/j.txt"});
  EXPECT_EQ(content["content"]["__type__"], "bytes");
  EXPECT_EQ(content["content"]["data"], "YWJj");
  const Json who = JsonOf({"whoami"});
  EXPECT_EQ(who["subject_id"], "admin");
  EXPECT_EQ(who["is_admin"], true);
  EXPECT_EQ(JsonOf({"mkdir", "/workspace/jd"})["created"], true);
  // --json after the command works too, and confirmations stay off stdout.
  const ChildResult after = Nexus({"rmdir", "/workspace/jd", "--json"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(Json::parse(after.out)["removed"], true);
}

TEST_P(CliTest, ExitStatusesSayWhatWentWrong) {
  EXPECT_EQ(Nexus({"cat", "/workspace/missing"}).exit_code, 3);
  EXPECT_EQ(Nexus({"ls", "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(Nexus({"cat"}).exit_code, 2);
  ASSERT_EQ(NexusWithInput({"write", "/workspace/c"}, "1").exit_code, 0);
  ChildResult conflict = NexusWithInput({"write", "/workspace/c", "--if-match", "stale"}, "2");
  EXPECT_EQ(conflict.exit_code, 6) << conflict.err;
  EXPECT_EQ(NexusWithInput({"write", "/workspace/c", "--if-none-match"}, "3").exit_code, 6);
  EXPECT_EQ(Ok({"cat", "/workspace/c"}), "1");

  key_ = NewUserKey("alice");
  ChildResult denied = NexusWithInput({"write", "/workspace/admin-only"}, "x");
  EXPECT_EQ(denied.exit_code, 4) << denied.err;
  EXPECT_TRUE(Contains(denied.err, "nexus: ")) << denied.err;

  const std::string help = Ok({"help", "exit-codes"});
  EXPECT_TRUE(Contains(help, "3  not found")) << help;
}

TEST_P(CliTest, BadInputGetsAClearMessageAndChangesNothing) {
  key_ = "";
  ChildResult no_key = Nexus({"ls", "/"});
  EXPECT_EQ(no_key.exit_code, 4);
  EXPECT_TRUE(Contains(no_key.err, "NEXUS_API_KEY")) << no_key.err;
  EXPECT_TRUE(Contains(no_key.err, "nexus login")) << no_key.err;

  key_ = kAdminKey;
  ChildResult missing = Nexus({"write", "/workspace/new", "--from", home_ + "/nope.txt"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(missing.err, "nexus: no such local file: " + home_ + "/nope.txt\n");
  EXPECT_EQ(Nexus({"stat", "/workspace/new"}).exit_code, 3);

  ChildOptions elsewhere;
  elsewhere.env = {"NEXUS_URL=http://127.0.0.1:1"};
  ChildResult unreachable = Nexus({"ls", "/"}, elsewhere);
  EXPECT_EQ(unreachable.exit_code, 5);
  EXPECT_TRUE(Contains(unreachable.err, "http://127.0.0.1:1")) << unreachable.err;

  ChildOptions bad_url;
  bad_url.env = {"NEXUS_URL=ftp://example.com"};
  ChildResult refused = Nexus({"ls", "/"}, bad_url);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(Contains(refused.err, "server URL")) << refused.err;
}

TEST_P(CliTest, LoginChecksTheKeyAndSavesAPrivateProfile) {
  ChildOptions clean;
  clean.env = {"NEXUS_URL", "NEXUS_API_KEY"};
  ChildResult bad = Nexus({"login", "--url", Url(), "--api-key", "sk-wrong"}, clean);
  EXPECT_EQ(bad.exit_code, 4) << bad.err;
  const std::string config = home_ + "/.config/nexus/config.yaml";
  struct stat st {};
  EXPECT_NE(::stat(config.c_str(), &st), 0) << "a refused key must not be saved";

  ChildResult good =
      Nexus({"login", "--url", Url(), "--api-key", kAdminKey, "--profile", "test"}, clean);
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_TRUE(Contains(good.out, "as user admin")) << good.out;
  ASSERT_EQ(::stat(config.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // The profile alone is now enough: no NEXUS_URL, no NEXUS_API_KEY.
  ChildResult who = Nexus({"whoami"}, clean);
  EXPECT_EQ(who.exit_code, 0) << who.err;
  EXPECT_EQ(who.out, "user admin in tenant default, admin\n");
  ChildResult status = Nexus({"status"}, clean);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_TRUE(Contains(status.out, "profile:   test")) << status.out;
  EXPECT_TRUE(Contains(status.out, "health:    healthy")) << status.out;
  ChildResult unknown = Nexus({"--profile", "other", "ls"}, clean);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(Contains(unknown.err, "nexus login --profile other")) << unknown.err;
}

TEST_P(CliTest, ColourOnlyOnATerminalAndNeverWithNoColor) {
  Ok({"mkdir", "-p", "/workspace/dir"});
  EXPECT_EQ(Ok({"ls", "/workspace"}), "dir/\n");
  ChildOptions terminal;
  terminal.terminal = true;
  ChildResult coloured = Nexus({"ls", "/workspace"}, terminal);
  EXPECT_EQ(coloured.exit_code, 0);
  EXPECT_TRUE(Contains(coloured.out, "\033[1;34mdir/\033[0m")) << coloured.out;
  terminal.env = {"NO_COLOR=1"};
  ChildResult plain = Nexus({"ls", "/workspace"}, terminal);
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_EQ(plain.out, "dir/\r\n");
}

// A local tree for the transfer tests: 30 small files, one of 2 MiB, an object file and a
// build directory to exclude, an empty directory.
std::string MakeLocalTree(const std::string& root) {
  std::filesystem::create_directories(root + "/src/sub");
  std::filesystem::create_directories(root + "/build");
  std::filesystem::create_directories(root + "/empty");
  for (int i = 0; i < 30; ++i) {
    EXPECT_TRUE(WriteFileAtomically(root + "/src/f" + std::to_string(i) + ".txt",
                                    "file " + std::to_string(i) + "\n", false)
                    .ok());
  }
  std::string big(2 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7919 % 251);
  EXPECT_TRUE(WriteFileAtomically(root + "/big.bin", big, false).ok());
  EXPECT_TRUE(WriteFileAtomically(root + "/src/x.o", "object", false).ok());
  EXPECT_TRUE(WriteFileAtomically(root + "/build/out", "built", false).ok());
  return big;
}

TEST_P(CliTest, UploadSkipsExcludedAndUnchangedFiles) {
  const std::string local = home_ + "/tree";
  const std::string big = MakeLocalTree(local);
  const std::vector<std::string> args = {"upload", local,       "/workspace/up", "--exclude",
                                         "*.o",    "--exclude", "build/**"};
  EXPECT_EQ(Ok(args), "Uploaded 31 files (2.0 MiB)\n");
  EXPECT_EQ(Ok({"cat", "/workspace/up/src/f7.txt"}), "file 7\n");
  EXPECT_EQ(Ok({"cat", "/workspace/up/big.bin"}), big);
  EXPECT_EQ(Nexus({"stat", "/workspace/up/src/x.o"}).exit_code, 3);
  EXPECT_EQ(Nexus({"stat", "/workspace/up/build/out"}).exit_code, 3);
  EXPECT_EQ(Ok({"stat", "--json", "/workspace/up/empty"}).find("\"is_directory\": true") ==
                std::string::npos,
            false);

  EXPECT_EQ(Ok(args), "Uploaded 0 files (0 B), 31 unchanged\n");
  ASSERT_TRUE(WriteFileAtomically(local + "/src/f3.txt", "changed\n", false).ok());
  std::vector<std::string> json_args = args;
  json_args.insert(json_args.begin(), "--json");
  const Json report = Json::parse(Ok(json_args));
  EXPECT_EQ(report["copied"], Json::array({"/workspace/up/src/f3.txt"}));
  EXPECT_EQ(report["unchanged"], 30);
  EXPECT_EQ(report["bytes"], 8);
  EXPECT_EQ(Ok({"cat", "/workspace/up/src/f3.txt"}), "changed\n");

  // A single file lands at the remote path, or inside it when that ends with '/'.
  EXPECT_EQ(Ok({"upload", local + "/src/f1.txt", "/workspace/one.txt"}), "Uploaded 1 file (7 B)\n");
  EXPECT_EQ(Ok({"upload", local + "/src/f1.txt", "/workspace/into/"}), "Uploaded 1 file (7 B)\n");
  EXPECT_EQ(Ok({"cat", "/workspace/into/f1.txt"}), "file 1\n");

  ChildResult missing = Nexus({"upload", home_ + "/absent", "/workspace/x"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(missing.err, "nexus: no such local file or directory: " + home_ + "/absent\n");
}

TEST_P(CliTest, SyncDeletesExtrasOnlyWhenAskedAndDryRunChangesNothing) {
  const std::string local = home_ + "/tree";
  MakeLocalTree(local);
  Ok({"upload", local, "/workspace/s", "--exclude", "*.o"});
  std::filesystem::remove(local + "/src/f0.txt");
  std::filesystem::remove(local + "/src/f1.txt");
  EXPECT_EQ(Ok({"sync", local, "/workspace/s", "--exclude", "*.o"}),
            "Uploaded 0 files (0 B), 30 unchanged\n");
  EXPECT_EQ(Ok({"sync", "-n", "--delete", local, "/workspace/s", "--exclude", "*.o"}),
            "would delete /workspace/s/src/f0.txt\nwould delete /workspace/s/src/f1.txt\n"
            "Would copy 0 files (0 B), 30 unchanged, would delete 2 files\n");
  EXPECT_EQ(Ok({"cat", "/workspace/s/src/f0.txt"}), "file 0\n");
  EXPECT_EQ(Ok({"sync", "--delete", local, "/workspace/s", "--exclude", "*.o"}),
            "Uploaded 0 files (0 B), 30 unchanged, deleted 2 files\n");
  EXPECT_EQ(Nexus({"stat", "/workspace/s/src/f0.txt"}).exit_code, 3);
}

TEST_P(CliTest, DownloadRecreatesTheTreeAndSkipsWhatMatches) {
  const std::string local = home_ + "/tree";
  const std::string big = MakeLocalTree(local);
  Ok({"upload", local, "/workspace/d"});
  const std::string copy = home_ + "/copy";
  EXPECT_EQ(Ok({"download", "/workspace/d", copy}), "Downloaded 33 files (2.0 MiB)\n");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(local)) {
    const std::string relative = std::filesystem::relative(entry.path(), local).string();
    ASSERT_TRUE(std::filesystem::exists(copy + "/" + relative)) << relative;
    if (entry.is_regular_file()) {
      EXPECT_EQ(*ReadFile(copy + "/" + relative), *ReadFile(entry.path().string())) << relative;
    }
  }
  EXPECT_EQ(Ok({"download", "/workspace/d", copy}), "Downloaded 0 files (0 B), 33 unchanged\n");
  EXPECT_EQ(Ok({"download", "/workspace/d/big.bin", home_ + "/big-copy"}),
            "Downloaded 1 file (2.0 MiB)\n");
  EXPECT_EQ(*ReadFile(home_ + "/big-copy"), big);
  EXPECT_EQ(Nexus({"download", "/workspace/none", copy}).exit_code, 3);
  // A trailing slash names the same directory.
  EXPECT_EQ(Ok({"download", "/workspace/d/src/", home_ + "/src-copy"}),
            "Downloaded 31 files (236 B)\n");
}

TEST_P(CliTest, ASymlinkIsUploadedUnderItsOwnName) {
  const std::string local = home_ + "/linked";
  std::filesystem::create_directories(local);
  ASSERT_TRUE(WriteFileAtomically(home_ + "/outside.txt", "outside\n", false).ok());
  std::filesystem::create_symlink(home_ + "/outside.txt", local + "/link.txt");
  EXPECT_EQ(Ok({"upload", local, "/workspace/l"}), "Uploaded 1 file (8 B)\n");
  EXPECT_EQ(Ok({"cat", "/workspace/l/link.txt"}), "outside\n");
  EXPECT_EQ(Ok({"ls", "/workspace/l"}), "link.txt\n");
}

TEST_P(CliTest, ProgressOnlyOnATerminalAndNotWithQuiet) {
  const std::string local = home_ + "/tree";
  MakeLocalTree(local);
  ChildResult plain = Nexus({"upload", local, "/workspace/p1"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.err, "");
  ChildOptions terminal;
  terminal.terminal = true;
  ChildResult shown = Nexus({"upload", local, "/workspace/p2"}, terminal);
  ASSERT_EQ(shown.exit_code, 0) << shown.out;
  EXPECT_TRUE(Contains(shown.out, "\rUploading 33/33 files  2.0 MiB/2.0 MiB")) << shown.out;
  ChildResult quiet = Nexus({"upload", "-q", local, "/workspace/p3"}, terminal);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.out;
  EXPECT_EQ(quiet.out, "");
}

NEXUS_INSTANTIATE_ENGINES(CliTest);

}  // namespace
}  // namespace nexus::e2e

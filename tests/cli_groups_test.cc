// The command groups of `nexus` (versions, rebac and share, skills, agent, workspace, memory,
// sandbox, admin, completion) against a real server on both engines: each command in human
// and --json form, their exit statuses, and the messages of bad input.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/cli_test_fixture.h"

namespace nexus::e2e {
namespace {

using test::ChildOptions;
using test::ChildResult;

class CliGroupsTest : public CliTest {
 protected:
  void Write(const std::string& path, const std::string& content) {
    const ChildResult w = NexusWithInput({"write", path}, content);
    ASSERT_EQ(w.exit_code, 0) << w.err;
  }
  std::string LocalFile(const std::string& name) const { return home_ + "/" + name; }
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

// The lines of `text` that contain `part`.
std::vector<std::string> LinesWith(const std::string& text, const std::string& part) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (Contains(line, part)) lines.push_back(line);
  }
  return lines;
}

TEST_P(CliGroupsTest, VersionsHistoryGetDiffAndRollback) {
  Write("/workspace/v.txt", "one\n");
  Write("/workspace/v.txt", "one\ntwo\n");
  Write("/workspace/v.txt", "one\nthree\n");

  const std::string history = Ok({"versions", "history", "/workspace/v.txt"});
  EXPECT_TRUE(history.starts_with("VERSION  SIZE")) << history;
  const std::vector<std::string> rows = LinesWith(history, " B  ");
  ASSERT_EQ(rows.size(), 3u) << history;
  EXPECT_TRUE(rows[0].starts_with("      3  10 B")) << history;
  EXPECT_TRUE(rows[2].starts_with("      1   4 B")) << history;
  const Json listed = JsonOf({"versions", "history", "/workspace/v.txt", "-n", "2"});
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["version"], 3);
  EXPECT_EQ(listed[1]["size"], 8);

  EXPECT_EQ(Ok({"versions", "get", "/workspace/v.txt", "-v", "1"}), "one\n");
  EXPECT_EQ(Ok({"versions", "get", "/workspace/v.txt", "--version", "2", "-o", LocalFile("v2")}),
            "Wrote version 2 of /workspace/v.txt to " + LocalFile("v2") + " (8 B)\n");
  EXPECT_EQ(Slurp(LocalFile("v2")), "one\ntwo\n");
  const Json got = JsonOf({"versions", "get", "/workspace/v.txt", "-v", "1"});
  EXPECT_EQ(got["version"], 1);
  EXPECT_EQ(Text(got["content"]), "one\n");

  const std::string meta = Ok({"versions", "diff", "/workspace/v.txt", "--v1", "1", "--v2", "3"});
  EXPECT_TRUE(Contains(meta, "size:     4 B")) << meta;
  EXPECT_TRUE(Contains(meta, "content changed")) << meta;
  const Json meta_json = JsonOf({"versions", "diff", "/workspace/v.txt", "--v1", "1", "--v2", "3"});
  EXPECT_EQ(meta_json["content_changed"], true);
  EXPECT_EQ(meta_json["size_delta"], 6);
  const std::string diff =
      Ok({"versions", "diff", "/workspace/v.txt", "--v1", "2", "--v2", "3", "--content"});
  EXPECT_TRUE(Contains(diff, "\n-two\n+three\n")) << diff;
  const Json diff_json = JsonOf(
      {"versions", "diff", "/workspace/v.txt", "--v1", "2", "--v2", "3", "--mode", "content"});
  EXPECT_TRUE(Contains(diff_json.get<std::string>(), "+three")) << diff_json;

  EXPECT_EQ(Ok({"versions", "rollback", "/workspace/v.txt", "-v", "1"}),
            "Rolled back /workspace/v.txt to version 1 (now version 4)\n");
  EXPECT_EQ(Ok({"cat", "/workspace/v.txt"}), "one\n");
  EXPECT_EQ(JsonOf({"versions", "rollback", "/workspace/v.txt", "-v", "2", "-y"}), Json());
  EXPECT_EQ(Ok({"cat", "/workspace/v.txt"}), "one\ntwo\n");

  EXPECT_TRUE(
      Contains(Fails({"versions", "get", "/workspace/v.txt", "-v", "9"}, 3), "(version 9)"));
  Fails({"versions", "history", "/workspace/missing"}, 3);
  Fails({"versions", "diff", "/workspace/v.txt", "--v1", "1"}, 2);
  Fails({"versions", "diff", "/workspace/v.txt", "--v1", "1", "--v2", "2", "--content", "--mode",
         "metadata"},
        2);
  Fails({"versions"}, 2);
  EXPECT_EQ(Fails({"versions", "get", "/workspace/v.txt", "-v", "1", "-o", home_ + "/no/dir/f"}, 3)
                .rfind("nexus: cannot write " + home_ + "/no/dir/f", 0),
            0u);
  key_ = NewUserKey("alice");
  Fails({"versions", "history", "/workspace/v.txt"}, 4);
  Fails({"versions", "rollback", "/workspace/v.txt", "-v", "1"}, 4);
}

TEST_P(CliGroupsTest, RebacCreateListCheckExpandExplainAndDelete) {
  Write("/workspace/r.txt", "r");
  const std::string created =
      Ok({"rebac", "create", "user", "alice", "direct_viewer", "file", "/workspace/r.txt"});
  EXPECT_TRUE(created.starts_with("Created ")) << created;
  EXPECT_TRUE(Contains(created, ": user:alice direct_viewer file:/workspace/r.txt\n")) << created;
  const std::string id =
      JsonOf({"rebac", "create", "group", "eng", "member", "group", "all"}).get<std::string>();
  EXPECT_FALSE(id.empty());

  const std::string listed = Ok({"rebac", "list", "--object-type", "file", "--object-id",
                                 "/workspace/r.txt", "--relation", "direct_viewer"});
  EXPECT_TRUE(listed.starts_with("ID ")) << listed;
  EXPECT_EQ(
      LinesWith(listed, "user:alice  direct_viewer  file:/tenant:default/workspace/r.txt").size(),
      1u)
      << listed;
  const Json tuples = JsonOf({"rebac", "list", "--subject-type", "group", "--subject-id", "eng"});
  ASSERT_EQ(tuples.size(), 1u) << tuples;
  EXPECT_EQ(tuples[0]["tuple_id"], id);
  EXPECT_EQ(JsonOf({"rebac", "list", "-n", "1"}).size(), 1u);

  EXPECT_EQ(Ok({"rebac", "check", "user", "alice", "read", "file", "/workspace/r.txt"}),
            "granted: user:alice may read file:/workspace/r.txt\n");
  const ChildResult denied =
      Nexus({"rebac", "check", "user", "alice", "write", "file", "/workspace/r.txt"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_EQ(denied.out, "denied: user:alice may not write file:/workspace/r.txt\n");
  EXPECT_EQ(JsonOf({"rebac", "check", "user", "alice", "read", "file", "/workspace/r.txt"}), true);
  const ChildResult denied_json =
      Nexus({"--json", "rebac", "check", "user", "alice", "write", "file", "/workspace/r.txt"});
  EXPECT_EQ(denied_json.exit_code, 1);
  EXPECT_EQ(denied_json.out, "false\n");

  const std::string expanded = Ok({"rebac", "expand", "read", "file", "/workspace/r.txt"});
  EXPECT_TRUE(Contains(expanded, "user:alice\n")) << expanded;
  EXPECT_TRUE(Contains(JsonOf({"rebac", "expand", "read", "file", "/workspace/r.txt"}).dump(),
                       R"(["user","alice"])"));

  const std::string why =
      Ok({"rebac", "explain", "user", "alice", "read", "file", "/workspace/r.txt"});
  EXPECT_TRUE(why.starts_with("granted: user:alice may read")) << why;
  EXPECT_TRUE(Contains(why, "reason: ")) << why;
  EXPECT_TRUE(
      Contains(why, "through:\n  file:/tenant:default/workspace/r.txt#direct_viewer@user:alice"))
      << why;
  const Json why_not =
      JsonOf({"rebac", "explain", "user", "alice", "write", "file", "/workspace/r.txt"});
  EXPECT_EQ(why_not["result"], false);
  EXPECT_TRUE(why_not["reason"].is_string());

  EXPECT_EQ(Ok({"rebac", "delete", id}), "Deleted " + id + "\n");
  EXPECT_EQ(Fails({"rebac", "delete", id}, 3), "nexus: no tuple " + id + "\n");
  const Json alices = JsonOf({"rebac", "list", "--subject-type", "user", "--subject-id", "alice"});
  ASSERT_EQ(alices.size(), 1u) << alices;
  EXPECT_EQ(JsonOf({"rebac", "delete", alices[0]["tuple_id"].get<std::string>()}), true);
  Fails({"rebac", "check", "user", "alice", "read", "file", "/workspace/r.txt"}, 1);

  // Bad input: half a filter, a date that is not one, a permission nobody defined.
  Fails({"rebac", "list", "--subject-type", "user"}, 2);
  EXPECT_TRUE(Contains(Fails({"rebac", "create", "user", "bob", "direct_viewer", "file",
                              "/workspace/r.txt", "--expires", "someday"},
                             1),
                       "expires_at"));
  Fails({"rebac", "create", "user", "bob", "direct_viewer", "file"}, 2);
  Fails({"rebac", "create", "user", "bob", "dynamic_viewer", "file", "/workspace/r.csv",
         "--column-config", "[1]"},
        1);
  key_ = NewUserKey("alice");
  Fails({"rebac", "create", "user", "alice", "member", "group", "admins"}, 4);
}

TEST_P(CliGroupsTest, ShareAndUnshareAFileWithAUser) {
  const std::string alice = NewUserKey("alice");
  Write("/workspace/s.txt", "shared");
  ChildOptions as_alice;
  as_alice.env = {"NEXUS_API_KEY=" + alice};
  EXPECT_EQ(Nexus({"cat", "/workspace/s.txt"}, as_alice).exit_code, 4);

  const std::string shared = Ok({"share", "/workspace/s.txt", "alice"});
  EXPECT_TRUE(shared.starts_with("Shared /workspace/s.txt with alice as viewer (")) << shared;
  ChildResult read = Nexus({"cat", "/workspace/s.txt"}, as_alice);
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, "shared");
  as_alice.stdin_data = "changed";
  EXPECT_EQ(Nexus({"write", "/workspace/s.txt"}, as_alice).exit_code, 4);
  EXPECT_TRUE(JsonOf({"share", "/workspace/s.txt", "alice", "--relation", "editor"}).is_string());
  EXPECT_EQ(Nexus({"write", "/workspace/s.txt"}, as_alice).exit_code, 0);

  EXPECT_EQ(Ok({"unshare", "/workspace/s.txt", "alice"}), "Unshared /workspace/s.txt with alice\n");
  EXPECT_EQ(Nexus({"cat", "/workspace/s.txt"}, as_alice).exit_code, 4);
  EXPECT_EQ(Fails({"unshare", "/workspace/s.txt", "alice"}, 3),
            "nexus: /workspace/s.txt is not shared with alice\n");
  Ok({"share", "/workspace/s.txt", "alice", "--relation", "owner"});
  EXPECT_EQ(JsonOf({"unshare", "/workspace/s.txt", "alice"}), true);

  Fails({"share", "/workspace/s.txt", "alice", "--relation", "admin"}, 2);
  Fails({"share", "/workspace/s.txt"}, 2);
  // Only an owner shares: alice may not give bob her way into the admin's file.
  key_ = alice;
  Fails({"share", "/workspace/s.txt", "bob"}, 4);
}

TEST_P(CliGroupsTest, SkillsCreateListInfoSearchForkExportValidateAndImport) {
  EXPECT_TRUE(Ok({"skills", "create", "code-review", "--description", "Reviews code for bugs"})
                  .starts_with("Created skill code-review (/tenant:default/user:admin/skill/"));
  EXPECT_EQ(JsonOf({"skills", "create", "release-notes", "--description", "Writes release notes",
                    "--author", "Ann"})["name"],
            "release-notes");

  const std::string listed = Ok({"skills", "list"});
  EXPECT_TRUE(listed.starts_with("NAME ")) << listed;
  ASSERT_EQ(LinesWith(listed, "Reviews code for bugs").size(), 1u) << listed;
  EXPECT_TRUE(LinesWith(listed, "Reviews code for bugs")[0].starts_with("code-review    personal"))
      << listed;
  EXPECT_EQ(JsonOf({"skills", "list", "--tier", "personal"})["count"], 2);
  EXPECT_EQ(JsonOf({"skills", "list", "--tier", "system"})["count"], 0);

  const std::string info = Ok({"skills", "info", "release-notes"});
  EXPECT_TRUE(Contains(info, "description:  Writes release notes\n")) << info;
  EXPECT_TRUE(Contains(info, "author:       Ann\n")) << info;
  EXPECT_EQ(JsonOf({"skills", "info", "code-review"})["tier"], "personal");

  const std::string found = Ok({"skills", "search", "review"});
  EXPECT_TRUE(found.starts_with("SKILL ")) << found;
  EXPECT_EQ(LinesWith(found, "code-review").size(), 1u) << found;
  EXPECT_EQ(JsonOf({"skills", "search", "notes", "-n", "1"})["results"][0]["skill_name"],
            "release-notes");

  EXPECT_TRUE(Ok({"skills", "fork", "code-review", "my-review"})
                  .starts_with("Forked code-review to my-review ("));
  EXPECT_EQ(JsonOf({"skills", "fork", "code-review", "other-review"})["target_name"],
            "other-review");

  // Export to a file and to stdout alike; the package validates and imports back.
  const std::string zip = LocalFile("review.zip");
  const std::string exported_note = Ok({"skills", "export", "code-review", "-o", zip});
  EXPECT_EQ(exported_note, "Exported code-review to " + zip + " (" +
                               std::to_string(std::filesystem::file_size(zip)) + " B)\n");
  // The same package on stdout. Its entries carry the time of their own export (to two
  // seconds), so two exports can differ in those bytes only.
  const std::string to_stdout = Ok({"skills", "export", "code-review"});
  EXPECT_EQ(to_stdout.size(), Slurp(zip).size());
  EXPECT_TRUE(Contains(to_stdout, "code-review/SKILL.md"));
  const Json exported = JsonOf({"skills", "export", "code-review"});
  EXPECT_EQ(exported["filename"], "code-review.skill");
  EXPECT_EQ(Ok({"skills", "validate", zip}), "valid: 1 skill: code-review\n");
  EXPECT_EQ(JsonOf({"skills", "validate", zip})["skills_found"], Json::array({"code-review"}));
  ChildOptions piped;
  piped.stdin_data = Slurp(zip);
  EXPECT_EQ(Nexus({"skills", "validate", "-"}, piped).exit_code, 0);

  std::ofstream(LocalFile("bad.zip")) << "not a zip";
  const ChildResult bad = Nexus({"skills", "validate", LocalFile("bad.zip")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(bad.out.starts_with("not valid: 0 skills\nerror: ")) << bad.out;
  EXPECT_EQ(Nexus({"--json", "skills", "validate", LocalFile("bad.zip")}).exit_code, 1);

  EXPECT_TRUE(Contains(Fails({"skills", "import", zip}, 6), "already exists"));
  EXPECT_TRUE(Ok({"skills", "import", zip, "--overwrite"}).starts_with("Imported code-review ("));
  EXPECT_EQ(JsonOf({"skills", "import", zip, "--overwrite"})["imported_skills"],
            Json::array({"code-review"}));

  EXPECT_EQ(Fails({"skills", "import", LocalFile("nope.zip")}, 3),
            "nexus: no such local file: " + LocalFile("nope.zip") + "\n");
  EXPECT_TRUE(Contains(Fails({"skills", "info", "nope"}, 1), "nope"));
  Fails({"skills", "export", "nope", "-o", LocalFile("nope.zip")}, 1);
  EXPECT_FALSE(std::filesystem::exists(LocalFile("nope.zip")));
  Fails({"skills", "create", "x"}, 2);
  Fails({"skills", "export", "code-review", "--format", "zip"}, 2);
  ChildOptions terminal;
  terminal.terminal = true;
  const ChildResult to_terminal = Nexus({"skills", "export", "code-review"}, terminal);
  EXPECT_EQ(to_terminal.exit_code, 2);
  EXPECT_TRUE(Contains(to_terminal.out, "use -o FILE")) << to_terminal.out;
}

TEST_P(CliGroupsTest, AgentsRegisterListInfoUpdateAndDelete) {
  EXPECT_EQ(Ok({"agent", "register", "bot", "Review Bot", "-d", "Reviews pull requests"}),
            "Registered agent admin,bot (Review Bot)\n");
  const std::string keyed = Ok({"agent", "register", "admin,keyed", "Keyed", "--with-api-key"});
  EXPECT_TRUE(Contains(keyed, "API key (shown once): sk-")) << keyed;
  // -q drops the confirmation but never the key.
  const std::string quiet = Ok({"-q", "agent", "register", "quiet", "Quiet", "--with-api-key"});
  EXPECT_TRUE(quiet.starts_with("API key (shown once): sk-")) << quiet;
  const Json registered = JsonOf({"agent", "register", "json", "Json"});
  EXPECT_EQ(registered["agent_id"], "admin,json");
  EXPECT_EQ(registered["has_api_key"], false);

  const std::string listed = Ok({"agent", "list"});
  EXPECT_TRUE(listed.starts_with("AGENT ")) << listed;
  EXPECT_EQ(LinesWith(listed, "admin,bot    Review Bot  admin  no").size(), 1u) << listed;
  EXPECT_EQ(LinesWith(listed, "admin,keyed  Keyed       admin  yes").size(), 1u) << listed;
  EXPECT_EQ(JsonOf({"agent", "list"}).size(), 4u);

  const std::string info = Ok({"agent", "info", "bot"});
  EXPECT_TRUE(Contains(info, "agent:        admin,bot\n")) << info;
  EXPECT_TRUE(Contains(info, "description:  Reviews pull requests\n")) << info;
  EXPECT_EQ(JsonOf({"agent", "info", "admin,keyed"})["has_api_key"], true);

  EXPECT_EQ(Ok({"agent", "update", "bot", "--name", "Review Bot 2"}), "Updated agent admin,bot\n");
  EXPECT_EQ(JsonOf({"agent", "update", "bot", "-d", "Now faster"})["description"], "Now faster");
  EXPECT_EQ(JsonOf({"agent", "info", "bot"})["name"], "Review Bot 2");

  EXPECT_EQ(Ok({"agent", "delete", "bot", "-y"}), "Deleted agent admin,bot\n");
  EXPECT_EQ(JsonOf({"agent", "delete", "admin,json"}), true);
  EXPECT_EQ(Fails({"agent", "delete", "bot"}, 3), "nexus: no agent admin,bot\n");
  EXPECT_EQ(Fails({"agent", "info", "bot"}, 3), "nexus: no agent admin,bot\n");
  EXPECT_EQ(Fails({"agent", "update", "keyed"}, 2),
            "nexus: nothing to change: give --name or --description\n");
  EXPECT_TRUE(Contains(Fails({"agent", "register", "keyed", "Again"}, 6), "already registered"));
  Fails({"agent", "register", "lonely"}, 2);

  key_ = NewUserKey("alice");
  EXPECT_EQ(Ok({"agent", "register", "helper", "Helper"}),
            "Registered agent alice,helper (Helper)\n");
  Fails({"agent", "register", "bob,spy", "Spy"}, 4);
}

TEST_P(CliGroupsTest, WorkspacesRegisterListSnapshotLogDiffAndRestore) {
  Write("/workspace/proj/a.txt", "a");
  EXPECT_EQ(Ok({"workspace", "register", "/workspace/proj", "-n", "proj", "-d", "A project"}),
            "Registered workspace /workspace/proj\n");
  EXPECT_EQ(JsonOf({"workspace", "register", "/workspace/tmp", "--session-id", "s1", "--ttl",
                    "2h"})["path"],
            "/workspace/tmp");
  const std::string listed = Ok({"workspace", "list"});
  EXPECT_TRUE(listed.starts_with("PATH ")) << listed;
  EXPECT_EQ(LinesWith(listed, "/workspace/proj  proj").size(), 1u) << listed;
  EXPECT_EQ(JsonOf({"workspace", "list"}).size(), 2u);

  EXPECT_EQ(
      Ok({"workspace", "snapshot", "/workspace/proj", "-d", "first", "-g", "v1", "--tag", "x"}),
      "Created snapshot #1 of /workspace/proj (1 file, 1 B)\n");
  Write("/workspace/proj/b.txt", "bb");
  Write("/workspace/proj/a.txt", "aaa");
  const Json second = JsonOf({"workspace", "snapshot", "/workspace/proj", "-d", "second"});
  EXPECT_EQ(second["snapshot_number"], 2);
  EXPECT_EQ(second["file_count"], 2);

  const std::string log = Ok({"workspace", "log", "/workspace/proj"});
  EXPECT_TRUE(log.starts_with("#  CREATED")) << log;
  ASSERT_EQ(LinesWith(log, "v1, x").size(), 1u) << log;
  EXPECT_TRUE(LinesWith(log, "v1, x")[0].starts_with("1  ")) << log;
  EXPECT_TRUE(Contains(LinesWith(log, "v1, x")[0], "1 B  first")) << log;
  EXPECT_EQ(JsonOf({"workspace", "log", "/workspace/proj", "-n", "1"})[0]["description"], "second");

  const std::string diff =
      Ok({"workspace", "diff", "/workspace/proj", "--snapshot1", "1", "--snapshot2", "2"});
  EXPECT_TRUE(Contains(diff, "+ ")) << diff;
  EXPECT_TRUE(Contains(diff, "b.txt (2 B)\n")) << diff;
  EXPECT_TRUE(Contains(diff, "a.txt (1 B -> 3 B)\n")) << diff;
  EXPECT_TRUE(Contains(diff, "1 added, 0 removed, 1 modified, 0 unchanged\n")) << diff;
  const Json diff_json =
      JsonOf({"workspace", "diff", "/workspace/proj", "--snapshot1", "1", "--snapshot2", "2"});
  EXPECT_EQ(diff_json["added"].size(), 1u);
  EXPECT_EQ(diff_json["modified"].size(), 1u);

  EXPECT_EQ(Ok({"workspace", "restore", "/workspace/proj", "-s", "1", "-y"}),
            "Restored /workspace/proj to snapshot #1 (1 file restored, 1 file deleted)\n");
  EXPECT_EQ(Ok({"cat", "/workspace/proj/a.txt"}), "a");
  EXPECT_EQ(Nexus({"stat", "/workspace/proj/b.txt"}).exit_code, 3);
  EXPECT_EQ(
      JsonOf({"workspace", "restore", "/workspace/proj", "--snapshot", "2"})["files_restored"], 2);

  EXPECT_TRUE(
      Contains(Fails({"workspace", "restore", "/workspace/proj", "-s", "9"}, 3), "Snapshot 9"));
  Fails({"workspace", "snapshot", "/workspace/unregistered"}, 3);
  EXPECT_EQ(Fails({"workspace", "register", "/workspace/x", "--ttl", "5y"}, 2),
            "nexus: --ttl takes a duration such as 90s, 30m, 8h or 2d\n");
  Fails({"workspace", "diff", "/workspace/proj", "--snapshot1", "1"}, 2);
  EXPECT_TRUE(Contains(Fails({"workspace", "register", "/workspace/proj"}, 6), "already"));
  key_ = NewUserKey("alice");
  Fails({"workspace", "snapshot", "/workspace/proj"}, 4);
}

TEST_P(CliGroupsTest, MemoriesStoreQueryListAndDelete) {
  const std::string stored =
      Ok({"memory", "store", "User prefers Python", "--type", "preference", "--scope", "user"});
  EXPECT_TRUE(stored.starts_with("Stored memory ")) << stored;
  const ChildResult piped =
      NexusWithInput({"--json", "memory", "store", "-", "--namespace", "geo/facts", "--path-key",
                      "paris", "-g", "geo", "--importance", "0.9"},
                     "Paris is the capital of France\n");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  const std::string paris = Json::parse(piped.out)["memory_id"];

  const std::string listed = Ok({"memory", "list"});
  EXPECT_TRUE(listed.starts_with("ID ")) << listed;
  EXPECT_EQ(LinesWith(listed, "geo/facts/paris").size(), 1u) << listed;
  EXPECT_TRUE(Contains(listed, "Paris is the capital of France\n")) << listed;
  const Json all = JsonOf({"memory", "list"});
  ASSERT_EQ(all["memories"].size(), 2u);
  EXPECT_EQ(JsonOf({"memory", "list", "--namespace-prefix", "geo"})["memories"][0]["content"],
            "Paris is the capital of France");
  EXPECT_EQ(JsonOf({"memory", "list", "-n", "1"})["memories"].size(), 1u);

  const std::string found = Ok({"memory", "query", "python"});
  EXPECT_EQ(LinesWith(found, "User prefers Python").size(), 1u) << found;
  EXPECT_EQ(LinesWith(found, "Paris").size(), 0u) << found;
  const Json by_type = JsonOf({"memory", "query", "--type", "preference"});
  ASSERT_EQ(by_type["memories"].size(), 1u);
  EXPECT_EQ(by_type["memories"][0]["scope"], "user");
  EXPECT_EQ(Ok({"memory", "query", "nothing-like-this"}), "");

  EXPECT_EQ(Ok({"memory", "delete", paris}), "Deleted memory " + paris + "\n");
  EXPECT_EQ(Fails({"memory", "delete", paris}, 3), "nexus: no memory " + paris + "\n");
  const std::string other = by_type["memories"][0]["memory_id"];
  EXPECT_EQ(JsonOf({"memory", "delete", other})["deleted"], true);
  EXPECT_EQ(JsonOf({"memory", "list"})["memories"].size(), 0u);

  Fails({"memory", "store", "x", "--importance", "2"}, 2);
  Fails({"memory", "store"}, 2);
  Fails({"memory", "query", "x", "--state", "sleeping"}, 1);
}

TEST_P(CliGroupsTest, SandboxesRunCodeAndExitWithItsStatus) {
  const Json created = JsonOf({"sandbox", "create", "box"});
  const std::string id = created["sandbox_id"];
  EXPECT_EQ(created["status"], "active");
  EXPECT_TRUE(Ok({"sandbox", "create", "other", "--ttl", "5"}).starts_with("Created sandbox "));

  // The code's stdout and stderr become ours, and its exit status is ours.
  ChildResult run = Nexus({"sandbox", "run", id, "-c",
                           "import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)"});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_EQ(run.out, "out\n");
  EXPECT_EQ(run.err, "err\n");
  run = NexusWithInput({"sandbox", "run", id, "-l", "bash"}, "echo from stdin; exit 0");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "from stdin\n");
  std::ofstream(LocalFile("code.sh")) << "echo $((6 * 7))\n";
  run = Nexus({"sandbox", "run", id, "--language", "bash", "-f", LocalFile("code.sh")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "42\n");
  run = Nexus({"--json", "sandbox", "run", id, "-l", "bash", "-c", "echo hi; exit 5"});
  EXPECT_EQ(run.exit_code, 5);
  const Json answer = Json::parse(run.out);
  EXPECT_EQ(answer["stdout"], "hi\n");
  EXPECT_EQ(answer["exit_code"], 5);
  run =
      Nexus({"sandbox", "run", id, "-l", "bash", "-c", "echo started; sleep 30", "--timeout", "1"});
  EXPECT_EQ(run.exit_code, 128 + 9);
  EXPECT_EQ(run.out, "started\n");
  EXPECT_TRUE(Contains(run.err, "nexus: the code was stopped (timeout)\n")) << run.err;
  EXPECT_TRUE(Contains(Ok({"help", "exit-codes"}), "`nexus sandbox run` exits with the status"));

  const std::string listed = Ok({"sandbox", "list"});
  EXPECT_TRUE(listed.starts_with("SANDBOX ")) << listed;
  EXPECT_EQ(LinesWith(listed, id + "  box    active  bubblewrap").size(), 1u) << listed;
  EXPECT_EQ(JsonOf({"sandbox", "list", "--status", "active"})["sandboxes"].size(), 2u);
  const std::string status = Ok({"sandbox", "status", id});
  EXPECT_TRUE(Contains(status, "sandbox:      " + id + "\n")) << status;
  EXPECT_TRUE(Contains(status, "status:       active\n")) << status;
  EXPECT_EQ(JsonOf({"sandbox", "status", id})["name"], "box");

  EXPECT_EQ(Ok({"sandbox", "pause", id}), "Paused sandbox " + id + " (now paused)\n");
  EXPECT_EQ(JsonOf({"sandbox", "resume", id})["status"], "active");
  EXPECT_EQ(Ok({"sandbox", "stop", id}), "Stopped sandbox " + id + " (now stopped)\n");
  EXPECT_EQ(JsonOf({"sandbox", "list", "--status", "stopped"})["sandboxes"].size(), 1u);
  EXPECT_TRUE(Contains(Fails({"sandbox", "run", id, "-c", "print(1)"}, 1), "stopped"));
  Ok({"sandbox", "pause",
      JsonOf({"sandbox", "list", "--status", "active"})["sandboxes"][0]["sandbox_id"]
          .get<std::string>()});

  EXPECT_EQ(Fails({"sandbox", "run", id, "-f", LocalFile("nope.py")}, 3),
            "nexus: no such local file: " + LocalFile("nope.py") + "\n");
  EXPECT_TRUE(Contains(Fails({"sandbox", "status", "nope"}, 3), "nope"));
  Fails({"sandbox", "run", id, "-c", "print(1)", "-f", LocalFile("code.sh")}, 2);
  Fails({"sandbox", "run", id, "-l", "cobol", "-c", "x"}, 2);
  key_ = NewUserKey("alice");
  EXPECT_TRUE(Contains(Fails({"sandbox", "status", id}, 3), "not found"));
}

TEST_P(CliGroupsTest, AdminKeysCreateListUpdateAndRevoke) {
  const std::string created = Ok({"admin", "create-key", "carol", "--name", "laptop"});
  EXPECT_TRUE(created.starts_with("API key (shown once, keep it safe): sk-")) << created;
  EXPECT_TRUE(Contains(created, "for:      user carol\n")) << created;
  EXPECT_TRUE(Contains(created, "expires:  never\n")) << created;
  const Json key = JsonOf({"admin", "create-key", "dave", "--name", "ci", "--expires-days", "30"});
  const std::string dave = key["api_key"];
  const std::string key_id = key["key_id"];
  EXPECT_FALSE(key["expires_at"].is_null());

  const std::string listed = Ok({"admin", "list-keys"});
  EXPECT_TRUE(listed.starts_with("KEY ID ")) << listed;
  EXPECT_EQ(LinesWith(listed, "carol  user:carol  laptop").size(), 1u) << listed;
  const Json daves = JsonOf({"admin", "list-keys", "--user-id", "dave"});
  ASSERT_EQ(daves["keys"].size(), 1u);
  EXPECT_EQ(daves["keys"][0]["key_id"], key_id);
  EXPECT_EQ(JsonOf({"admin", "list-keys", "--is-admin"})["keys"].size(), 1u);

  EXPECT_TRUE(Ok({"admin", "update-key", key_id, "--is-admin", "true", "--name", "ci-admin"})
                  .starts_with("Updated key " + key_id + " (ci-admin, admin, expires "));
  const Json updated = JsonOf({"admin", "update-key", key_id, "--expires-days", "5"});
  EXPECT_EQ(updated["is_admin"], true);
  ChildOptions as_dave;
  as_dave.env = {"NEXUS_API_KEY=" + dave};
  EXPECT_EQ(Nexus({"admin", "list-keys"}, as_dave).exit_code, 0);

  const std::string agent_key = Ok({"admin", "create-agent-key", "carol", "carol,bot"});
  EXPECT_TRUE(Contains(agent_key, "for:      agent carol,bot of user carol\n")) << agent_key;
  EXPECT_EQ(
      JsonOf({"admin", "create-agent-key", "carol", "carol,bot2", "--name", "b2"})["subject_type"],
      "agent");

  EXPECT_EQ(Ok({"admin", "revoke-key", key_id}), "Revoked key " + key_id + "\n");
  EXPECT_EQ(Nexus({"whoami"}, as_dave).exit_code, 4);
  EXPECT_EQ(JsonOf({"admin", "list-keys", "--user-id", "dave"})["keys"].size(), 0u);
  const std::string revoked = Ok({"admin", "list-keys", "--user-id", "dave", "--include-revoked"});
  EXPECT_EQ(LinesWith(revoked, "revoked").size(), 1u) << revoked;
  EXPECT_EQ(JsonOf({"admin", "revoke-key",
                    JsonOf({"admin", "list-keys", "--user-id", "carol"})["keys"][0]["key_id"]
                        .get<std::string>()})["success"],
            true);

  EXPECT_TRUE(Contains(Fails({"admin", "revoke-key", "no-such-key"}, 3), "no-such-key"));
  EXPECT_EQ(Fails({"admin", "update-key", key_id}, 2),
            "nexus: nothing to change: give --expires-days, --is-admin or --name\n");
  Fails({"admin", "update-key", key_id, "--is-admin", "maybe"}, 2);
  Fails({"admin", "create-key", "erin"}, 2);

  // Everything here is for admins only.
  key_ = NewUserKey("alice");
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"admin", "create-key", "eve", "--name", "x"},
                                             {"admin", "list-keys"},
                                             {"admin", "revoke-key", key_id},
                                             {"admin", "update-key", key_id, "--name", "x"},
                                             {"admin", "create-agent-key", "alice", "alice,x"}}) {
    EXPECT_EQ(Fails(args, 4),
              "nexus: Permission denied: Admin privileges required for this "
              "operation\n");
  }
}

NEXUS_INSTANTIATE_ENGINES(CliGroupsTest);

// `nexus completion` needs no server: the scripts are written from the parser's tree.
class CliCompletionTest : public ::testing::Test {
 protected:
  static ChildResult Run(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& input = "") {
    ChildOptions options;
    options.stdin_data = input;
    return test::RunChild(binary, args, options);
  }
  static std::string Script(const std::string& shell) {
    const ChildResult r = Run(NEXUS_BINARY, {"completion", shell});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  // The top-level commands, as `nexus --help` lists them.
  static std::vector<std::string> TopLevelCommands() {
    const ChildResult help = Run(NEXUS_BINARY, {"--help"});
    std::vector<std::string> names;
    const size_t start = help.out.find("Subcommands:\n");
    EXPECT_NE(start, std::string::npos) << help.out;
    std::istringstream in(help.out.substr(start + 13));
    for (std::string line; std::getline(in, line) && line.starts_with("  ");) {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
    return names;
  }
  // Completes `line` (words up to the cursor, the last one being completed) with the bash
  // script and returns the candidates, one a line.
  static std::string BashComplete(const std::string& script, const std::string& words, int cword) {
    const ChildResult r = Run(
        "/bin/bash",
        {"-c", "eval \"$(cat)\"; COMP_WORDS=(" + words + "); COMP_CWORD=" + std::to_string(cword) +
                   "; _nexus; printf '%s\\n' \"${COMPREPLY[@]}\""},
        script);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
};

TEST_F(CliCompletionTest, BashScriptKnowsEveryCommandAndParses) {
  const std::string script = Script("bash");
  const std::vector<std::string> commands = TopLevelCommands();
  EXPECT_GE(commands.size(), 30u);
  for (const std::string& name : commands)
    EXPECT_TRUE(Contains(script, "\"nexus " + name + "\"")) << name;
  const ChildResult syntax = Run("/bin/bash", {"-n"}, script);
  EXPECT_EQ(syntax.exit_code, 0) << syntax.err;

  EXPECT_EQ(BashComplete(script, "nexus vers", 1), "versions\n");
  EXPECT_TRUE(BashComplete(script, "nexus versions ''", 2).starts_with("history\nget\ndiff\n"));
  EXPECT_EQ(BashComplete(script, "nexus --json sandbox run box --lang", 5), "--language\n");
  EXPECT_EQ(BashComplete(script, "nexus skills export x --no", 4), "--no-deps\n");
  // After a flag that takes a value the shell completes file names instead.
  EXPECT_EQ(BashComplete(script, "nexus write a --from ''", 4), "\n");
}

TEST_F(CliCompletionTest, ZshAndFishScriptsParseAndComplete) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/zsh")) << "zsh is missing: make deps";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/fish")) << "fish is missing: make deps";
  const std::string zsh = Script("zsh");
  EXPECT_TRUE(zsh.starts_with("#compdef nexus\n"));
  ChildResult r = Run("/usr/bin/zsh", {"-n"}, zsh);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // _describe and compdef belong to zsh's completion system; stand-ins print what they get.
  r = Run("/usr/bin/zsh",
          {"-f", "-c",
           "compdef() { :; }; _describe() { print -rl -- ${(P)${@[-1]}} }; eval \"$(cat)\"; "
           "words=(nexus agent ''); CURRENT=3; _nexus"},
          zsh);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("register:Register an agent")) << r.out;

  const std::string fish = Script("fish");
  r = Run("/usr/bin/fish", {"-n"}, fish);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Run("/usr/bin/fish",
          {"-c", "source; complete -C 'nexus memory '; complete -C 'nexus ls --rec'"}, fish);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "store\tRemember something\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "--recursive\t")) << r.out;

  const ChildResult bad = Run(NEXUS_BINARY, {"completion", "powershell"});
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace nexus::e2e

#include "services/skills/skills.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "services/permission_hooks.h"
#include "services/skills/editor_front_matter.h"
#include "services/test_identities.h"
#include "services/test_tree_store.h"
#include "testing/forwarding_blob_store.h"
#include "testing/test_store.h"
#include "util/mutex.h"

namespace nexus::services {
namespace {

// Permissions are AccessPolicy's and are tested over HTTP (cli/skills_http_test.cc); these
// tests are about discovery, caching and packages, so everything is allowed.
class AllowAll : public SkillAccess {
 public:
  Status CheckRead(const std::string&) override { return Status::OK(); }
  Status CheckWrite(const std::string&) override { return Status::OK(); }
  StatusOr<std::vector<bool>> Readable(const std::vector<std::string>& paths) override {
    return std::vector<bool>(paths.size(), true);
  }
};

// Blobs whose first `gated` stores wait for each other: a skill's content is stored after
// the service's checks and before its write unit, so writers meet between the two. A writer
// that fails before it stores anything would leave the others waiting for ever, so the wait
// is bounded and a gate that did not fill is reported.
class GatedBlobs : public test::ForwardingBlobStore {
 public:
  GatedBlobs(storage::BlobStore& blobs, int gated)
      : ForwardingBlobStore(blobs), waiting_for_(gated) {}

  StatusOr<std::string> Put(std::string_view content) override {
    {
      MutexLock lock(&mu_);
      if (waiting_for_ > 0 && --waiting_for_ == 0) filled_.SignalAll();
      if (!filled_.WaitFor(&mu_, std::chrono::seconds(60),
                           [this]() REQUIRES(mu_) { return waiting_for_ == 0; }))
        timed_out_ = true;
    }
    return ForwardingBlobStore::Put(content);
  }

  bool timed_out() {
    MutexLock lock(&mu_);
    return timed_out_;
  }

 private:
  Mutex mu_;
  CondVar filled_;                   // signalled when the gate opens
  int waiting_for_ GUARDED_BY(mu_);  // stores still to arrive before the gate opens
  bool timed_out_ GUARDED_BY(mu_) = false;
};

std::string SkillMd(const std::string& name, const std::string& description,
                    const std::string& extra = "") {
  return "---\nname: " + name + "\ndescription: " + description + "\n" + extra + "---\n# " + name +
         "\n";
}

class SkillsTest : public TreeStoreTest {
 protected:
  void SetUp() override {
    TreeStoreTest::SetUp();
    if (!store_.engine) return;
    skills_ = std::make_unique<SkillService>(*store_.engine, *tree_);
  }

  void Install(SkillTier tier, const std::string& name, const std::string& skill_md,
               const auth::Identity* who = nullptr) {
    auto dir = skills_->Install(Caller(who), tier, name, {{"SKILL.md", skill_md}}, true);
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  }

  SkillCaller Caller(const auth::Identity* who = nullptr) {
    return SkillCaller{who ? *who : alice_, allow_};
  }

  std::vector<std::string> Names(std::optional<SkillTier> tier = {}) {
    auto all = skills_->List(Caller(), tier);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    std::vector<std::string> out;
    for (const DiscoveredSkill& s : *all)
      out.push_back(s.meta().name + "@" + std::string(SkillTierName(s.tier)));
    return out;
  }

  // Runs `write` as writers 0 and 1 at once, both past the service's checks before either
  // writes skill "race". One must create it and the other be told it exists; the skill is
  // the winner's, written once.
  void RaceTwoWriters(const std::function<Status(SkillService&, int writer)>& write) {
    GatedBlobs blobs(*store_.blobs, 2);
    vfs::PathTree tree(*store_.engine, blobs, PermissionHooks(*rebac_));
    SkillService skills(*store_.engine, tree);
    Status results[2];
    std::thread writers[2];
    for (int i = 0; i < 2; ++i) writers[i] = std::thread([&, i] { results[i] = write(skills, i); });
    for (std::thread& w : writers) w.join();
    ASSERT_FALSE(blobs.timed_out())
        << "a writer never stored its content: " << results[0].ToString() << " / "
        << results[1].ToString();
    const int winner = results[0].ok() ? 0 : 1;
    ASSERT_TRUE(results[winner].ok()) << results[winner].ToString();
    EXPECT_EQ(results[1 - winner].code(), Code::kAlreadyExists) << results[1 - winner].ToString();
    EXPECT_EQ(Names(), std::vector<std::string>{"race@personal"});
    const std::string skill_md = "/tenant:default/user:alice/skill/race/SKILL.md";
    EXPECT_EQ(tree_->ListVersions(skill_md)->size(), 1u);
    EXPECT_NE(tree_->Read(skill_md)->content.find("writer " + std::to_string(winner)),
              std::string::npos);
  }

  std::unique_ptr<SkillService> skills_;
  AllowAll allow_;
  const auth::Identity alice_ = test_ids::User("alice");
  const auth::Identity admin_ = test_ids::Admin();
};

TEST_P(SkillsTest, ListingParsesOncePerContent) {
  Install(SkillTier::kPersonal, "pdf", SkillMd("pdf", "first"));
  Install(SkillTier::kPersonal, "xlsx", SkillMd("xlsx", "sheets"));
  EXPECT_EQ(Names(), (std::vector<std::string>{"pdf@personal", "xlsx@personal"}));
  EXPECT_EQ(skills_->parses(), 2);
  const int64_t reads = store_.engine->Stats().read_units;
  EXPECT_EQ(Names().size(), 2u);
  EXPECT_EQ(skills_->parses(), 2) << "unchanged etags parse nothing";
  EXPECT_LE(store_.engine->Stats().read_units - reads, 3) << "one listing per tier, no reads";

  ASSERT_TRUE(tree_
                  ->Write({"alice"}, "/tenant:default/user:alice/skill/pdf/SKILL.md",
                          SkillMd("pdf", "edited"))
                  .ok());
  auto pdf = skills_->Find(Caller(), "pdf");
  ASSERT_TRUE(pdf.ok());
  EXPECT_EQ(pdf->meta().description, "edited");
  EXPECT_EQ(skills_->parses(), 3) << "only the edited file is parsed again";
}

TEST_P(SkillsTest, ConcurrentListingsShareOneParse) {
  for (const char* n : {"a", "b", "c"}) Install(SkillTier::kPersonal, n, SkillMd(n, "d"));
  SkillService fresh(*store_.engine, *tree_);
  std::vector<std::thread> threads;
  std::vector<size_t> counts(10);
  for (size_t i = 0; i < counts.size(); ++i) {
    threads.emplace_back([&, i] {
      auto all = fresh.List(Caller());
      counts[i] = all.ok() ? all->size() : 0;
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t c : counts) EXPECT_EQ(c, 3u);
  EXPECT_EQ(fresh.parses(), 3);
}

TEST_P(SkillsTest, HigherTierWinsAndBrokenSkillsAreSkipped) {
  Install(SkillTier::kSystem, "x", SkillMd("x", "system"), &admin_);
  Install(SkillTier::kTenant, "x", SkillMd("x", "tenant"), &admin_);
  Install(SkillTier::kTenant, "t", SkillMd("t", "tenant only"), &admin_);
  Install(SkillTier::kPersonal, "x", SkillMd("x", "mine"));
  ASSERT_TRUE(
      tree_->Write({"alice"}, "/tenant:default/user:alice/skill/broken/SKILL.md", "no front").ok());
  ASSERT_TRUE(tree_
                  ->Write({"alice"}, "/tenant:default/user:alice/skill/deep/ref/SKILL.md",
                          SkillMd("ref", "nested"))
                  .ok());
  EXPECT_EQ(Names(), (std::vector<std::string>{"x@personal", "t@tenant"}));
  EXPECT_EQ(Names(SkillTier::kSystem), (std::vector<std::string>{"x@system"}));
  EXPECT_EQ(skills_->Find(Caller(), "x")->meta().description, "mine");
  EXPECT_EQ(skills_->Find(Caller(), "broken").status().code(), Code::kValidation);
}

TEST_P(SkillsTest, Dependencies) {
  Install(SkillTier::kPersonal, "a", SkillMd("a", "d", "requires: [b, c]\n"));
  Install(SkillTier::kPersonal, "b", SkillMd("b", "d", "requires: c\n"));
  Install(SkillTier::kPersonal, "c", SkillMd("c", "d"));
  EXPECT_EQ(*skills_->Dependencies(Caller(), "a"), (std::vector<std::string>{"c", "b", "a"}));
  Install(SkillTier::kPersonal, "c", SkillMd("c", "d", "requires: [a]\n"));
  auto cycle = skills_->Dependencies(Caller(), "a");
  EXPECT_EQ(cycle.status().code(), Code::kValidation);
  EXPECT_NE(cycle.status().message().find("a -> b -> c -> a"), std::string::npos)
      << cycle.status().message();
  Install(SkillTier::kPersonal, "c", SkillMd("c", "d", "requires: [zz]\n"));
  auto missing = skills_->Dependencies(Caller(), "a");
  EXPECT_NE(missing.status().message().find("'c' requires 'zz'"), std::string::npos)
      << missing.status().message();
}

TEST_P(SkillsTest, ImportOverwriteExportAndInvalidPackages) {
  auto zip = WriteZip({{"pdf/SKILL.md", SkillMd("pdf", "v1")}, {"pdf/old.txt", "old"}});
  ASSERT_TRUE(zip.ok());
  auto names = skills_->Import(Caller(), SkillTier::kPersonal, *zip, false);
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"pdf"}));
  EXPECT_EQ(skills_->Import(Caller(), SkillTier::kPersonal, *zip, false).status().code(),
            Code::kAlreadyExists);
  zip = WriteZip({{"pdf/SKILL.md", SkillMd("pdf", "v2")}, {"pdf/new.txt", "new"}});
  ASSERT_TRUE(skills_->Import(Caller(), SkillTier::kPersonal, *zip, true).ok());
  EXPECT_FALSE(*tree_->Exists("/tenant:default/user:alice/skill/pdf/old.txt"));

  auto exported = skills_->Export(Caller(), "pdf", "generic", false);
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  auto back = ReadSkillZip(*exported);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->at("pdf"), (SkillFiles{{"SKILL.md", SkillMd("pdf", "v2")}, {"new.txt", "new"}}));
  EXPECT_EQ(skills_->Export(Caller(), "pdf", "tar", false).status().code(), Code::kValidation);

  // One bad skill in a package writes nothing at all.
  zip = WriteZip({{"good/SKILL.md", SkillMd("good", "d")}, {"bad/SKILL.md", SkillMd("x", "d")}});
  EXPECT_EQ(skills_->Import(Caller(), SkillTier::kPersonal, *zip, false).status().code(),
            Code::kValidation);
  EXPECT_FALSE(*tree_->Exists("/tenant:default/user:alice/skill/good"));
  const ZipReport report = skills_->ValidateZip(*zip);
  EXPECT_FALSE(report.valid);
  EXPECT_EQ(report.skills_found, (std::vector<std::string>{"bad", "good"}));
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].find("does not match its folder"), std::string::npos);
}

TEST_P(SkillsTest, AFileThatIsAlsoAFolderIsRefused) {
  const SkillFiles files = {{"SKILL.md", SkillMd("pdf", "d")}, {"x", "file"}, {"x/y", "below"}};
  const Status s = skills_->Install(Caller(), SkillTier::kPersonal, "pdf", files, false).status();
  EXPECT_EQ(s.code(), Code::kValidation);
  EXPECT_NE(s.message().find("'x' both as a file and as the folder of 'x/y'"), std::string::npos)
      << s.ToString();
  EXPECT_FALSE(*tree_->Exists("/tenant:default/user:alice/skill/pdf"));
}

TEST_P(SkillsTest, AnImportThatFailsWritingInstallsNothing) {
  const std::string tier = "/tenant:default/user:alice/skill";
  // A file where the second skill's folder goes: the checks pass (with allow_overwrite), the
  // write of that skill fails.
  ASSERT_TRUE(tree_->Write(vfs::Actor{"alice"}, tier + "/second", "in the way").ok());
  auto zip = WriteZip(
      {{"first/SKILL.md", SkillMd("first", "d")}, {"second/SKILL.md", SkillMd("second", "d")}});
  ASSERT_TRUE(zip.ok());
  EXPECT_EQ(skills_->Import(Caller(), SkillTier::kPersonal, *zip, true).status().code(),
            Code::kNotADirectory);
  EXPECT_FALSE(*tree_->Exists(tier + "/first"));
  EXPECT_TRUE(Names().empty());
}

TEST_P(SkillsTest, AnOverwriteThatFailsKeepsTheOldSkill) {
  const std::string dir = "/tenant:default/user:alice/skill/pdf";
  const SkillFiles old_files = {{"SKILL.md", SkillMd("pdf", "old")}, {"ref/a.md", "a"}};
  ASSERT_TRUE(skills_->Install(Caller(), SkillTier::kPersonal, "pdf", old_files, false).ok());
  // `ref` is a folder of the installed skill; the new version has a file there.
  const SkillFiles new_files = {{"SKILL.md", SkillMd("pdf", "new")}, {"ref", "a file now"}};
  EXPECT_EQ(
      skills_->Install(Caller(), SkillTier::kPersonal, "pdf", new_files, true).status().code(),
      Code::kIsADirectory);
  EXPECT_EQ(tree_->Read(dir + "/SKILL.md")->content, SkillMd("pdf", "old"));
  EXPECT_EQ(tree_->Read(dir + "/ref/a.md")->content, "a");
}

TEST_P(SkillsTest, CreateForkPublishSearch) {
  NewSkill pdf{"pdf-tools", "Extract text from PDF files", "# PDF\nUse pdftotext.\n", "Ann", ""};
  auto path = skills_->Create(Caller(), SkillTier::kPersonal, pdf);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, "/tenant:default/user:alice/skill/pdf-tools/SKILL.md");
  EXPECT_EQ(skills_->Create(Caller(), SkillTier::kPersonal, pdf).status().code(),
            Code::kAlreadyExists);
  NewSkill notes{"notes", "Meeting notes", "Write notes about text.\n", {}, ""};
  ASSERT_TRUE(skills_->Create(Caller(), SkillTier::kPersonal, notes).ok());

  auto forked = skills_->Fork(Caller(), "pdf-tools", "pdf2", SkillTier::kPersonal, "Bob");
  ASSERT_TRUE(forked.ok()) << forked.status().ToString();
  auto fork = skills_->Find(Caller(), "pdf2");
  ASSERT_TRUE(fork.ok());
  EXPECT_EQ(fork->meta().author, "Bob");
  EXPECT_EQ(fork->meta().metadata_json, R"({"forked_from":"pdf-tools"})");

  auto published =
      skills_->Publish(Caller(&admin_), "pdf-tools", SkillTier::kPersonal, SkillTier::kTenant);
  EXPECT_EQ(published.status().code(), Code::kValidation) << "not in the admin's personal tier";
  published = skills_->Publish(Caller(), "pdf-tools", SkillTier::kPersonal, SkillTier::kTenant);
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  EXPECT_EQ(*published, "/tenant:default/skill/pdf-tools/SKILL.md");
  EXPECT_EQ(skills_->Publish(Caller(), "pdf-tools", SkillTier::kTenant, SkillTier::kPersonal)
                .status()
                .code(),
            Code::kValidation);

  auto hits = skills_->Search(Caller(), "PDF text", {}, 10);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 3u);
  EXPECT_EQ((*hits)[0].skill_name, "pdf-tools");
  EXPECT_EQ((*hits)[2].skill_name, "notes");
  EXPECT_EQ(skills_->Search(Caller(), "  ", {}, 10).status().code(), Code::kValidation);
}

// Two writers of one new name both found it free before either wrote: the second used to
// replace the first's skill with a second version, and both were told they had created it.
TEST_P(SkillsTest, ConcurrentCreatesOfOneNameLeaveOneSkill) {
  RaceTwoWriters([&](SkillService& skills, int writer) {
    const NewSkill skill{"race", "writer " + std::to_string(writer), "# Race\n", {}, ""};
    return skills.Create(Caller(), SkillTier::kPersonal, skill).status();
  });
}

TEST_P(SkillsTest, ConcurrentImportsOfOneNameLeaveOneSkill) {
  RaceTwoWriters([&](SkillService& skills, int writer) {
    const auto zip =
        WriteZip({{"race/SKILL.md", SkillMd("race", "writer " + std::to_string(writer))}});
    return zip.ok() ? skills.Import(Caller(), SkillTier::kPersonal, *zip, false).status()
                    : zip.status();
  });
}

TEST_P(SkillsTest, WrittenSkillMdReadsLineByLine) {
  const NewSkill pdf{"pdf", "Read \"PDF\" files", "# PDF\n", "Ann",
                     R"({"aliases":[],"tags":["docs","pdf"]})"};
  ASSERT_TRUE(skills_->Create(Caller(), SkillTier::kPersonal, pdf).ok());
  // Skills written by their authors with flow lists: what the server writes of them (a
  // fork, a skill from a file) has block lists.
  Install(SkillTier::kPersonal, "base", SkillMd("base", "b", "requires: [pdf]\ntags: [x, z]\n"));
  ASSERT_TRUE(skills_->Fork(Caller(), "base", "base2", SkillTier::kPersonal, "Bob").ok());
  NewSkill from_file{"", "", "", {}, ""};
  ASSERT_TRUE(skills_
                  ->CreateFromFile(Caller(), SkillTier::kPersonal, "notes.md",
                                   SkillMd("notes", "n", "tags: [a]\n"), from_file)
                  .ok());
  const std::string tier = "/tenant:default/user:alice/skill/";
  const auto read = [&](const std::string& name) {
    auto front = ReadLikeEditor(tree_->Read(tier + name + "/SKILL.md")->content);
    EXPECT_TRUE(front.ok()) << name << ": " << front.status().ToString();
    return front.ok() ? *front : EditorFrontMatter{};
  };
  EXPECT_EQ(read("pdf").lists["tags"], (std::vector<std::string>{"docs", "pdf"}));
  EXPECT_TRUE(read("pdf").lists.contains("aliases"));
  EXPECT_EQ(read("pdf").scalars["description"], "Read \"PDF\" files");
  EXPECT_EQ(read("base2").lists["requires"], std::vector<std::string>{"pdf"});
  EXPECT_EQ(read("base2").lists["tags"], (std::vector<std::string>{"x", "z"}));
  EXPECT_EQ(read("notes").lists["tags"], std::vector<std::string>{"a"});
}

TEST_P(SkillsTest, CreateFromFile) {
  NewSkill skill{"", "", "", {}, ""};
  auto path = skills_->CreateFromFile(Caller(), SkillTier::kPersonal, "docs/My Guide.md",
                                      "# Guide\n\nHow to deploy.\n", skill);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(skill.name, "My-Guide");
  EXPECT_EQ(skills_->Find(Caller(), "My-Guide")->meta().description, "Guide");
  NewSkill pdf{"", "", "", {}, ""};
  auto refused = skills_->CreateFromFile(Caller(), SkillTier::kPersonal, "a.pdf", "%PDF", pdf);
  EXPECT_EQ(refused.status().code(), Code::kValidation);
  EXPECT_NE(refused.status().message().find("PDF parser"), std::string::npos);
}

TEST_P(SkillsTest, Approvals) {
  auto submitted = skills_->approvals().Submit(alice_, "pdf", "alice", {"admin"}, "please");
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  EXPECT_EQ(skills_->approvals().Submit(alice_, "pdf", "bob", {}, "").status().code(),
            Code::kPermissionDenied);
  const std::string id = submitted->approval_id;
  EXPECT_EQ(skills_->approvals().Review(alice_, id, true, "alice", "user", "", {}).status().code(),
            Code::kPermissionDenied);
  EXPECT_EQ(
      skills_->approvals().Review(admin_, id, true, "admin", "user", "", "other").status().code(),
      Code::kPermissionDenied);
  auto approved = skills_->approvals().Review(admin_, id, true, "admin", "user", "ok", {});
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->status, "approved");
  EXPECT_EQ(skills_->approvals().Review(admin_, id, false, "admin", "user", "", {}).status().code(),
            Code::kValidation);
  auth::Identity bob = alice_;
  bob.subject_id = bob.user_id = "bob";
  EXPECT_TRUE(skills_->approvals().List(bob, {})->empty());
  EXPECT_EQ(skills_->approvals().List(alice_, {})->size(), 1u);
  EXPECT_EQ(skills_->approvals().List(admin_, {"pending", {}})->size(), 0u);
  EXPECT_EQ(skills_->approvals().List(admin_, {"approved", "pdf"})->at(0).reviewers,
            (std::vector<std::string>{"admin"}));
}

INSTANTIATE_TEST_SUITE_P(Engines, SkillsTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services

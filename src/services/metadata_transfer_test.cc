#include "services/metadata_transfer.h"

#include <gtest/gtest.h>

#include "testing/test_store.h"
#include "util/hash.h"
#include "util/path.h"

namespace nexus::services {
namespace {

// Reads and writes below `root` only.
class SubtreeAccess : public SkillAccess {
 public:
  explicit SubtreeAccess(std::string root) : root_(std::move(root)) {}
  Status CheckRead(const std::string& path) override { return Allowed(path); }
  Status CheckWrite(const std::string& path) override { return Allowed(path); }
  StatusOr<std::vector<bool>> Readable(const std::vector<std::string>& paths) override {
    std::vector<bool> out;
    for (const std::string& p : paths) out.push_back(Allowed(p).ok());
    return out;
  }

 private:
  Status Allowed(const std::string& path) const {
    if (IsSameOrUnder(path, root_)) return Status::OK();
    return PermissionDenied("Access denied: " + path);
  }
  std::string root_;
};

TEST(MetadataLinesTest, FormatThenParseGivesTheLinesBack) {
  const std::vector<MetadataLine> lines = {
      {"a.txt", 2, Sha256Hex("hi"), "text/plain"},
      {"d/b.csv", 0, Sha256Hex(""), "text/csv"},
  };
  const std::string text = FormatMetadataLines(lines);
  EXPECT_EQ(
      text.substr(0, text.find('\n')),
      R"({"etag":")" + Sha256Hex("hi") + R"(","mime_type":"text/plain","path":"a.txt","size":2})");
  auto parsed = ParseMetadataLines(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].number, 2);
  EXPECT_EQ((*parsed)[1].line.path, "d/b.csv");
  EXPECT_EQ((*parsed)[1].line.etag, Sha256Hex(""));
}

TEST(MetadataLinesTest, BlankLinesAreSkippedButCounted) {
  const std::string line = R"({"etag":")" + Sha256Hex("x") + R"(","path":"x","size":1})";
  auto parsed = ParseMetadataLines("\n" + line + "\r\n\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].number, 2);
  EXPECT_EQ((*parsed)[0].line.mime_type, "");
}

// The error of parsing `text`, which must fail with kValidation.
std::string ParseError(const std::string& text) {
  auto parsed = ParseMetadataLines(text);
  EXPECT_FALSE(parsed.ok()) << text;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), Code::kValidation);
  return parsed.status().message();
}

TEST(MetadataLinesTest, BadLinesNameTheirNumber) {
  const std::string good = R"({"etag":")" + Sha256Hex("x") + R"(","path":"x","size":1})";
  const auto third = [&](const std::string& bad) { return good + "\n" + good + "\n" + bad; };
  EXPECT_EQ(ParseError(third("{")), "line 3: not valid JSON");
  EXPECT_EQ(ParseError(third("[1]")), "line 3: not a JSON object");
  EXPECT_EQ(ParseError(third(R"({"path":"x","size":1})")), "line 3: missing key 'etag'");
  EXPECT_EQ(ParseError(third(R"({"path":"x","size":1,"etag":"abc"})")),
            "line 3: etag must be a SHA-256 in lowercase hex");
  EXPECT_EQ(ParseError(third(R"({"path":"x","size":-1,"etag":")" + Sha256Hex("x") + "\"}")),
            "line 3: size must be a non-negative integer");
  EXPECT_EQ(
      ParseError(third(R"({"path":"x","size":1,"etag":")" + Sha256Hex("x") + R"(","owner":"me"})")),
      "line 3: unknown key 'owner'");
  for (const std::string path : {"/abs", "a/../b", "./a", "a//b", "a/", ""}) {
    const std::string msg = ParseError(
        third(R"({"path":")" + path + R"(","size":1,"etag":")" + Sha256Hex("x") + "\"}"));
    EXPECT_EQ(msg.rfind("line 3: path must be relative", 0), 0u) << path << ": " << msg;
  }
  EXPECT_EQ(ParseError(third(std::string(kMaxMetadataLineBytes + 1, ' '))),
            "line 3: longer than 16384 bytes");
}

TEST(MetadataLinesTest, ConflictModes) {
  EXPECT_EQ(*ParseConflictMode("skip"), ConflictMode::kSkip);
  EXPECT_EQ(*ParseConflictMode("overwrite"), ConflictMode::kOverwrite);
  EXPECT_EQ(*ParseConflictMode("fail"), ConflictMode::kFail);
  EXPECT_EQ(ParseConflictMode("merge").status().code(), Code::kInvalidArgument);
}

// Content may come from any file of the test tree.
const std::vector<std::string> kEverywhere = {""};

class MetadataTransferTest : public ::testing::TestWithParam<test::EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    tree_ = std::make_unique<vfs::PathTree>(*store_.engine, *store_.blobs);
    transfer_ = std::make_unique<MetadataTransfer>(*store_.engine, *tree_);
  }

  void Write(const std::string& path, const std::string& content) {
    ASSERT_TRUE(tree_->Write(actor_, path, content).ok()) << path;
  }

  std::vector<MetadataLine> Export(const std::string& dir) {
    auto lines = transfer_->Export({dir}, dir, all_);
    EXPECT_TRUE(lines.ok()) << lines.status().ToString();
    return lines.ok() ? *lines : std::vector<MetadataLine>{};
  }

  // The items of `text` placed below `dest`.
  std::vector<ImportItem> Items(const std::string& text, const std::string& dest) {
    std::vector<ImportItem> out;
    auto parsed = ParseMetadataLines(text);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    if (!parsed.ok()) return out;
    for (const NumberedLine& l : *parsed)
      out.push_back(ImportItem{l.number, JoinPath(dest, l.line.path), l.line});
    return out;
  }

  test::TestStore store_;
  std::unique_ptr<vfs::PathTree> tree_;
  std::unique_ptr<MetadataTransfer> transfer_;
  const vfs::Actor actor_{"alice"};
  SubtreeAccess all_{"/"};
};

TEST_P(MetadataTransferTest, ExportImportExportRoundTrips) {
  Write("/src/a.txt", "alpha");
  Write("/src/d/b.csv", "x,y\n1,2\n");
  Write("/other/c.txt", "not exported");
  const std::string text = FormatMetadataLines(Export("/src"));
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;

  auto result =
      transfer_->Import(actor_, Items(text, "/dst"), kEverywhere, ConflictMode::kSkip, false, all_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->total, 2);
  EXPECT_EQ(result->created, 2);
  EXPECT_EQ(FormatMetadataLines(Export("/dst")), text);
  EXPECT_EQ(tree_->Read("/dst/d/b.csv")->content, "x,y\n1,2\n");
}

TEST_P(MetadataTransferTest, ConflictModesAndDryRun) {
  Write("/src/a.txt", "new");
  Write("/dst/a.txt", "old");
  const std::vector<ImportItem> items = Items(FormatMetadataLines(Export("/src")), "/dst");

  auto skipped = transfer_->Import(actor_, items, kEverywhere, ConflictMode::kSkip, false, all_);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->skipped, 1);
  EXPECT_EQ(tree_->Read("/dst/a.txt")->content, "old");

  auto failed = transfer_->Import(actor_, items, kEverywhere, ConflictMode::kFail, false, all_);
  EXPECT_EQ(failed.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(failed.status().message(), "line 1: /dst/a.txt exists (conflict=fail)");

  auto dry = transfer_->Import(actor_, items, kEverywhere, ConflictMode::kOverwrite, true, all_);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->updated, 1);
  EXPECT_EQ(tree_->Read("/dst/a.txt")->content, "old") << "a dry run writes nothing";

  auto overwritten =
      transfer_->Import(actor_, items, kEverywhere, ConflictMode::kOverwrite, false, all_);
  ASSERT_TRUE(overwritten.ok());
  EXPECT_EQ(overwritten->updated, 1);
  auto now = tree_->Read("/dst/a.txt");
  EXPECT_EQ(now->content, "new");
  EXPECT_EQ(now->info.version, 2);
}

TEST_P(MetadataTransferTest, ContentMustBeInAFileTheCallerMayRead) {
  Write("/private/secret.txt", "secret");
  const std::string line = R"({"etag":")" + Sha256Hex("secret") + R"(","path":"s.txt","size":6})";
  SubtreeAccess mine("/mine");
  auto refused = transfer_->Import(actor_, Items(line, "/mine"), kEverywhere, ConflictMode::kSkip,
                                   false, mine);
  EXPECT_EQ(refused.status().code(), Code::kValidation);
  const std::string missing =
      R"({"etag":")" + Sha256Hex("never stored") + R"(","path":"s.txt","size":12})";
  auto absent = transfer_->Import(actor_, Items(missing, "/mine"), kEverywhere, ConflictMode::kSkip,
                                  false, mine);
  EXPECT_EQ(absent.status().code(), Code::kValidation);
  EXPECT_EQ(refused.status().message(),
            "line 1: no content " + Sha256Hex("secret") +
                " of 6 bytes in a file you may read; write the content first");
  // Readable, but outside the roots the content is looked for in (another tenant's tree).
  auto elsewhere = transfer_->Import(actor_, Items(line, "/x"), {"/mine", "/skill"},
                                     ConflictMode::kSkip, false, all_);
  EXPECT_EQ(elsewhere.status().code(), Code::kValidation);
  EXPECT_TRUE(transfer_
                  ->Import(actor_, Items(line, "/x"), {"/mine", "/private"}, ConflictMode::kSkip,
                           true, all_)
                  .ok());
  const std::string wrong_size =
      R"({"etag":")" + Sha256Hex("secret") + R"(","path":"s.txt","size":7})";
  EXPECT_EQ(
      transfer_
          ->Import(actor_, Items(wrong_size, "/x"), kEverywhere, ConflictMode::kSkip, false, all_)
          .status()
          .code(),
      Code::kValidation);
}

TEST_P(MetadataTransferTest, ARefusedLineImportsNothing) {
  Write("/src/a.txt", "a");
  Write("/src/b.txt", "b");
  Write("/src/c.txt", "c");
  std::vector<ImportItem> items = Items(FormatMetadataLines(Export("/src")), "/mine");
  items[2].target = "/elsewhere/c.txt";
  SubtreeAccess mine("/");
  SubtreeAccess only_mine("/mine");
  // Content is readable under /src for `mine`, but only_mine may not write /elsewhere.
  auto refused =
      transfer_->Import(actor_, items, kEverywhere, ConflictMode::kSkip, false, only_mine);
  EXPECT_EQ(refused.status().code(), Code::kPermissionDenied);
  EXPECT_FALSE(*tree_->Exists("/mine/a.txt"));
  items[2].target = "/mine/a.txt";
  auto duplicate = transfer_->Import(actor_, items, kEverywhere, ConflictMode::kSkip, false, mine);
  EXPECT_EQ(duplicate.status().message(), "line 3: /mine/a.txt is already named on line 1");
  EXPECT_FALSE(*tree_->Exists("/mine/b.txt"));
}

TEST_P(MetadataTransferTest, ExportShowsOnlyReadableFiles) {
  Write("/t/mine/a.txt", "a");
  Write("/t/theirs/b.txt", "b");
  SubtreeAccess mine("/t/mine");
  auto lines = transfer_->Export({"/t"}, "/t", mine);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].path, "mine/a.txt");
  EXPECT_TRUE(Export("/missing").empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, MetadataTransferTest,
                         ::testing::Values(test::EngineKind::kSqlite, test::EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::services

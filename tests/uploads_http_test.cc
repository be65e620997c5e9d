// Chunked uploads and range reads over HTTP (docs/compatibility.md, "Files of any size"),
// on both engines: the real server, its access policy, and a file larger than one request
// may carry.
#include <string>

#include "tests/http_test_fixture.h"
#include "util/base64.h"
#include "util/hash.h"

namespace nexus::e2e {
namespace {

constexpr int64_t kMiB = 1 << 20;
constexpr char kHome[] = "/tenant:default/user:alice";

std::string Patterned(int64_t size, int seed) {
  std::string out(static_cast<size_t>(size), '\0');
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>((i * 31 + seed) % 251);
  return out;
}

class UploadsHttpTest : public ThreeUsersHttpTest {
 protected:
  Json Part(const std::string& id, int64_t index, const std::string& content,
            const std::string& key) {
    return Rpc("upload_part",
               {{"upload_id", id}, {"index", index}, {"content", Bytes(Base64Encode(content))}},
               key);
  }

  // A part as raw bytes, its parameters in the query (docs/compatibility.md, "Raw bytes").
  Json RawPart(const std::string& id, int64_t index, const std::string& content,
               const std::string& key) {
    Headers headers = Auth(key);
    headers.emplace_back("Content-Type", "application/octet-stream");
    const test::ClientResponse r =
        Post("upload_part?upload_id=" + id + "&index=" + std::to_string(index), content, headers);
    EXPECT_EQ(r.status, 200);
    return Json::parse(r.body, nullptr, false);
  }

  // Uploads `content` to `path` in raw parts of the server's size, last part first.
  Json Upload(const std::string& path, const std::string& content, const std::string& key) {
    const Json begun = Result("upload_begin", {{"path", path}}, key);
    const std::string id = begun["upload_id"];
    const int64_t part_size = begun["part_size"];
    const int64_t parts = (static_cast<int64_t>(content.size()) + part_size - 1) / part_size;
    for (int64_t i = parts - 1; i >= 0; --i) {
      const Json answer = RawPart(id, i, content.substr(i * part_size, part_size), key);
      EXPECT_EQ(answer["result"]["size"],
                std::min(part_size, static_cast<int64_t>(content.size()) - i * part_size))
          << answer.dump();
    }
    return Result("upload_commit", {{"upload_id", id}, {"parts", parts}, {"size", content.size()}},
                  key);
  }

  std::string Range(const std::string& path, int64_t start, int64_t end, const std::string& key) {
    return Text(Result("read_range", {{"path", path}, {"start", start}, {"end", end}}, key));
  }
};

TEST_P(UploadsHttpTest, AFileLargerThanOneReadTravelsInPartsAndRanges) {
  const std::string path = std::string(kHome) + "/big.bin";
  const std::string content = Patterned(64 * kMiB + 5, 1);  // one byte over a whole read, and 4
  const Json committed = Upload(path, content, alice_);
  EXPECT_EQ(committed["etag"], Sha256Hex(content));
  EXPECT_EQ(committed["size"], content.size());
  EXPECT_EQ(committed["version"], 1);
  EXPECT_EQ(Result("stat", {{"path", path}}, alice_)["size"], content.size());
  const Json whole = Rpc("read", {{"path", path}}, alice_);
  ASSERT_TRUE(whole.contains("error")) << "a whole read of 64 MiB + 5 is refused";
  EXPECT_EQ(whole["error"]["code"], -32005);
  EXPECT_NE(whole["error"]["message"].get<std::string>().find("read it in ranges"),
            std::string::npos);
  EXPECT_EQ(Range(path, 4 * kMiB - 2, 4 * kMiB + 2, alice_), content.substr(4 * kMiB - 2, 4));
  EXPECT_EQ(Range(path, 64 * kMiB, 64 * kMiB + 100, alice_), content.substr(64 * kMiB));
  EXPECT_EQ(ErrorCode("read_range", {{"path", path}, {"start", 0}, {"end", 64 * kMiB + 1}}, alice_),
            -32005)
      << "a range longer than a call returns";
  // The longest range a call returns, raw (without base64 and JSON).
  Headers raw = Auth(alice_);
  raw.emplace_back("Accept", "application/octet-stream");
  const test::ClientResponse bytes =
      Post("read_range",
           Json{{"params", {{"path", path}, {"start", 5}, {"end", 5 + 64 * kMiB}}}}.dump(), raw);
  EXPECT_EQ(bytes.status, 200);
  EXPECT_TRUE(bytes.body == content.substr(5)) << "64 MiB from byte 5, raw";
  // Ranges of one version: a reader that names it hears when the file changes.
  const std::string etag = committed["etag"];
  EXPECT_EQ(ErrorCode("read_range", {{"path", path}, {"start", 0}, {"end", 1}, {"if_match", etag}},
                      alice_),
            0);
  Write(path, "replaced");
  EXPECT_EQ(ErrorCode("read_range", {{"path", path}, {"start", 0}, {"end", 1}, {"if_match", etag}},
                      alice_),
            -32006);
}

TEST_P(UploadsHttpTest, RawBodiesOnlyWhereContentGoes) {
  const std::string id =
      Result("upload_begin", {{"path", std::string(kHome) + "/r"}}, alice_)["upload_id"];
  const std::string binary("raw\0bytes", 9);
  EXPECT_EQ(RawPart(id, 0, binary, alice_)["result"]["size"], 9);
  EXPECT_EQ(RawPart(id + "&index=1", 0, "twice", alice_)["error"]["code"], -32602);
  Headers headers = Auth(alice_);
  headers.emplace_back("Content-Type", "application/octet-stream");
  const Json not_int = Json::parse(
      Post("upload_part?upload_id=" + id + "&index=one", "x", headers).body, nullptr, false);
  EXPECT_EQ(not_int["error"]["code"], -32602) << not_int.dump();
  const Json listing = Json::parse(Post("list?path=/", "x", headers).body, nullptr, false);
  EXPECT_EQ(listing["error"]["code"], -32600) << "list takes no content: " << listing.dump();
  EXPECT_EQ(Result("upload_commit", {{"upload_id", id}}, alice_)["size"], 9);
  EXPECT_EQ(Text(Result("read", {{"path", std::string(kHome) + "/r"}}, alice_)), binary);
}

TEST_P(UploadsHttpTest, SessionsKeepTheAccessPolicy) {
  const std::string kAliceFile = std::string(kHome) + "/alice.txt";
  Write(kAliceFile, "alice's");
  // Bob may not write alice's file: no session for him.
  EXPECT_EQ(ErrorCode("upload_begin", {{"path", kAliceFile}}, bob_), -32004);
  // Nor may he use hers, or abort it.
  const std::string id = Result("upload_begin", {{"path", kAliceFile}}, alice_)["upload_id"];
  EXPECT_EQ(Part(id, 0, "bob's", bob_)["error"]["code"], -32000);
  EXPECT_EQ(ErrorCode("upload_abort", {{"upload_id", id}}, carol_), -32000);
  EXPECT_EQ(ErrorCode("upload_commit", {{"upload_id", id}}, bob_), -32000);
  ASSERT_TRUE(Part(id, 0, "alice's second", alice_).contains("result"));
  EXPECT_EQ(Result("upload_commit", {{"upload_id", id}}, alice_)["version"], 2);
  EXPECT_EQ(Text(Result("read", {{"path", kAliceFile}}, alice_)), "alice's second");
  EXPECT_EQ(ErrorCode("upload_commit", {{"upload_id", id}}, alice_), -32000) << "already done";
}

TEST_P(UploadsHttpTest, AnAbortedOrLosingUploadLeavesTheFileAsItWas) {
  const std::string kFile = std::string(kHome) + "/f.txt";
  Write(kFile, "v1");
  const std::string v1 = Result("stat", {{"path", kFile}}, alice_)["etag"];
  const std::string aborted = Result("upload_begin", {{"path", kFile}}, alice_)["upload_id"];
  ASSERT_TRUE(Part(aborted, 0, "never", alice_).contains("result"));
  EXPECT_EQ(Result("upload_abort", {{"upload_id", aborted}}, alice_)["aborted"], true);
  EXPECT_EQ(Part(aborted, 1, "late", alice_)["error"]["code"], -32000);

  const std::string conditional =
      Result("upload_begin", {{"path", kFile}, {"if_match", v1}}, alice_)["upload_id"];
  ASSERT_TRUE(Part(conditional, 0, "from the upload", alice_).contains("result"));
  Write(kFile, "v2 meanwhile");
  EXPECT_EQ(ErrorCode("upload_commit", {{"upload_id", conditional}}, alice_), -32006);
  EXPECT_EQ(Text(Result("read", {{"path", kFile}}, alice_)), "v2 meanwhile");
  EXPECT_EQ(Result("list_versions", {{"path", kFile}}, alice_).size(), 2u);
  EXPECT_EQ(
      ErrorCode("upload_part",
                {{"upload_id", conditional}, {"index", -1}, {"content", Bytes(Base64Encode("x"))}},
                alice_),
      -32602);
}

NEXUS_INSTANTIATE_ENGINES(UploadsHttpTest);

}  // namespace
}  // namespace nexus::e2e

// `nexus upload` and `nexus download` of files larger than one request: in parts and ranges,
// against the real server, with the memory each side needs measured.
#include <filesystem>
#include <fstream>

#include "cli/commands/large_files.h"
#include "tests/cli_test_fixture.h"
#include "util/file.h"
#include "util/hash.h"

namespace nexus::e2e {
namespace {

constexpr int64_t kMiB = 1 << 20;

// Sanitizers hold freed memory in quarantine (ASan: 256 MiB) and add shadow memory, so peak
// memory is asserted only in the plain build; the transfers and their checks run in all.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kMemoryIsMeasurable = false;
#else
constexpr bool kMemoryIsMeasurable = true;
#endif

// Writes `size` bytes that differ from block to block (so no two parts share a blob) to
// `path`, a block at a time; returns their SHA-256.
std::string WriteLargeFile(const std::string& path, int64_t size, int seed) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  Sha256Hasher hasher;
  std::string block(kMiB, '\0');
  for (int64_t done = 0; done < size; done += kMiB) {
    for (size_t i = 0; i < block.size(); i += 8) {
      const uint64_t word = (static_cast<uint64_t>(done + i) * 0x9E3779B97F4A7C15u) ^ seed;
      std::memcpy(&block[i], &word, 8);
    }
    const std::string_view piece(block.data(), std::min<int64_t>(kMiB, size - done));
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    hasher.Update(piece);
  }
  return hasher.FinishHex();
}

std::string LocalHash(const std::string& path) {
  Sha256Hasher hasher;
  for (int64_t offset = 0;; offset += kMiB) {
    const StatusOr<std::string> block = ReadFileRange(path, offset, kMiB);
    if (!block.ok() || block->empty()) break;
    hasher.Update(*block);
  }
  return hasher.FinishHex();
}

// The server's peak resident memory so far, in KiB.
long ServerPeakKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}

using LargeFileCliTest = CliTest;

TEST_P(LargeFileCliTest, LargeFilesTravelInPartsAndComeBackWhole) {
  static_assert(client::kLargeFile < 40 * kMiB);
  const std::string tree = home_ + "/tree";
  std::filesystem::create_directories(tree);
  const std::string hash = WriteLargeFile(tree + "/large.bin", 40 * kMiB + 3, 1);
  ASSERT_TRUE(WriteFileAtomically(tree + "/small.txt", "small\n", false).ok());
  EXPECT_EQ(Ok({"upload", tree, "/workspace/t"}), "Uploaded 2 files (40 MiB)\n");
  const Json stat = JsonOf({"stat", "/workspace/t/large.bin"});
  EXPECT_EQ(stat["etag"], hash);
  EXPECT_EQ(stat["size"], 40 * kMiB + 3);
  EXPECT_EQ(JsonOf({"versions", "history", "/workspace/t/large.bin"}).size(), 1u)
      << "the parts are one version";
  EXPECT_EQ(Ok({"upload", tree, "/workspace/t"}), "Uploaded 0 files (0 B), 2 unchanged\n");

  const std::string copy = home_ + "/copy";
  EXPECT_EQ(Ok({"download", "/workspace/t", copy}), "Downloaded 2 files (40 MiB)\n");
  EXPECT_EQ(LocalHash(copy + "/large.bin"), hash);
  EXPECT_EQ(*ReadFile(copy + "/small.txt"), "small\n");
  EXPECT_EQ(Ok({"download", "/workspace/t", copy}), "Downloaded 0 files (0 B), 2 unchanged\n");
  for (const auto& entry : std::filesystem::directory_iterator(copy))
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos)
        << "no temporary file left: " << entry.path();

  // A changed large file is a second version.
  const std::string changed = WriteLargeFile(tree + "/large.bin", 20 * kMiB, 2);
  EXPECT_EQ(Ok({"upload", tree + "/large.bin", "/workspace/t/large.bin"}),
            "Uploaded 1 file (20 MiB)\n");
  EXPECT_EQ(JsonOf({"stat", "/workspace/t/large.bin"})["etag"], changed);
  EXPECT_EQ(JsonOf({"versions", "history", "/workspace/t/large.bin"}).size(), 2u);
}

TEST_P(LargeFileCliTest, CatPrintsALargeFileInRanges) {
  const std::string local = home_ + "/large.bin";
  const std::string hash = WriteLargeFile(local, 64 * kMiB + 1, 3);
  Ok({"upload", local, "/workspace/large.bin"});
  test::ChildOptions patient;
  patient.timeout = std::chrono::minutes(5);
  const test::ChildResult cat = Nexus({"cat", "/workspace/large.bin"}, patient);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(cat.out.size(), static_cast<size_t>(64 * kMiB + 1));
  EXPECT_EQ(Sha256Hex(cat.out), hash);
  const std::string err = Fails({"--json", "cat", "/workspace/large.bin"}, 1);
  EXPECT_TRUE(Contains(err, "read it in ranges")) << "no 64 MiB of JSON: " << err;
}

TEST_P(LargeFileCliTest, WriteFromALargeFileGoesInPartsWithItsCondition) {
  const std::string local = home_ + "/w.bin";
  const std::string first = WriteLargeFile(local, 20 * kMiB, 5);
  EXPECT_EQ(Ok({"write", "/workspace/w.bin", "--from", local}),
            "Wrote 20 MiB to /workspace/w.bin (version 1)\n");
  EXPECT_EQ(JsonOf({"stat", "/workspace/w.bin"})["etag"], first);
  const std::string second = WriteLargeFile(local, 20 * kMiB + 7, 6);
  const test::ChildResult stale =
      Nexus({"write", "/workspace/w.bin", "--from", local, "--if-match", Sha256Hex("stale")});
  EXPECT_NE(stale.exit_code, 0);
  EXPECT_TRUE(Contains(stale.err, "Conflict")) << stale.err;
  const Json written = JsonOf({"write", "/workspace/w.bin", "--from", local, "--if-match", first});
  EXPECT_EQ(written["etag"], second);
  EXPECT_EQ(written["version"], 2);
}

NEXUS_INSTANTIATE_ENGINES(LargeFileCliTest);

// Two GiB each way with each side under 128 MiB of resident memory, on the default engine
// (the database blob store moves the same parts; 40 MiB above covers it).
using TwoGibibyteCliTest = CliTest;

TEST_P(TwoGibibyteCliTest, TwoGibibytesEachWayInLittleMemory) {
  constexpr int64_t kSize = 2048 * kMiB;
  constexpr long kLimitKib = 128 * 1024;
  const std::string local = home_ + "/2g.bin";
  const std::string hash = WriteLargeFile(local, kSize, 4);
  test::ChildOptions patient;
  patient.timeout = std::chrono::minutes(10);
  const test::ChildResult up = Nexus({"upload", "-q", local, "/workspace/2g.bin"}, patient);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  if (kMemoryIsMeasurable) {
    EXPECT_LT(up.max_rss_kib, kLimitKib) << "the uploading client";
  }
  std::filesystem::remove(local);  // room on the test's file system
  EXPECT_EQ(JsonOf({"stat", "/workspace/2g.bin"})["etag"], hash);
  const test::ChildResult down = Nexus({"download", "-q", "/workspace/2g.bin", local}, patient);
  ASSERT_EQ(down.exit_code, 0) << down.err;
  if (kMemoryIsMeasurable) {
    EXPECT_LT(down.max_rss_kib, kLimitKib) << "the downloading client";
  }
  EXPECT_EQ(LocalHash(local), hash);
  if (kMemoryIsMeasurable) {
    EXPECT_LT(ServerPeakKib(server_->pid()), kLimitKib) << "the server";
  }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, TwoGibibyteCliTest, ::testing::Values(Engine::kSqlite),
                         [](const auto&) { return "Sqlite"; });

}  // namespace
}  // namespace nexus::e2e

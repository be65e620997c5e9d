#include "util/line_diff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace nexus {
namespace {

std::string Diff(std::string_view old_text, std::string_view new_text, int context = 3) {
  return UnifiedDiff(old_text, new_text, "a/f.txt", "b/f.txt", context);
}

// "prefix1\nprefix2\n...prefixN\n" for lines [first, last].
std::string NumberedLines(std::string_view prefix, int first, int last) {
  std::string text;
  for (int i = first; i <= last; ++i) text += std::string(prefix) + std::to_string(i) + "\n";
  return text;
}

std::vector<std::string> SplitKeepingNewlines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.emplace_back(text.substr(0, end));
    text.remove_prefix(end);
  }
  return lines;
}

// Applies a unified diff to `old_text` the way patch(1) would, checking every context and
// deleted line against the old text. Fails the test on any mismatch.
std::string ApplyDiff(std::string_view old_text, std::string_view diff) {
  const std::vector<std::string> old_lines = SplitKeepingNewlines(old_text);
  const std::vector<std::string> diff_lines = SplitKeepingNewlines(diff);
  std::string result;
  size_t cursor = 0;  // next old line
  EXPECT_GE(diff_lines.size(), 3u);
  for (size_t i = 2; i < diff_lines.size(); ++i) {
    const std::string& line = diff_lines[i];
    if (line.starts_with("@@")) {
      unsigned long start = 0, len = 1;
      if (std::sscanf(line.c_str(), "@@ -%lu,%lu", &start, &len) < 1) ADD_FAILURE() << line;
      const size_t begin = len == 0 ? start : start - 1;
      EXPECT_GE(begin, cursor) << line;
      for (; cursor < begin; ++cursor) result += old_lines[cursor];
      continue;
    }
    if (line[0] == '\\') continue;
    // The line's own newline belongs to the text unless a marker follows.
    std::string text = line.substr(1);
    if (i + 1 < diff_lines.size() && diff_lines[i + 1][0] == '\\') text.pop_back();
    if (line[0] == '+') {
      result += text;
      continue;
    }
    EXPECT_TRUE(line[0] == ' ' || line[0] == '-') << line;
    EXPECT_LT(cursor, old_lines.size()) << line;
    if (cursor >= old_lines.size()) break;
    EXPECT_EQ(old_lines[cursor], text);
    if (line[0] == ' ') result += text;
    ++cursor;
  }
  for (; cursor < old_lines.size(); ++cursor) result += old_lines[cursor];
  return result;
}

// Deleted plus inserted lines in a diff.
size_t CountEdits(std::string_view diff) {
  size_t edits = 0;
  for (const std::string& line : SplitKeepingNewlines(diff)) {
    if (line.starts_with("---") || line.starts_with("+++")) continue;
    if (line[0] == '-' || line[0] == '+') ++edits;
  }
  return edits;
}

// The minimum number of line edits, from the longest common subsequence.
size_t MinimumEdits(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> lcs(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      lcs[i][j] =
          a[i - 1] == b[j - 1] ? lcs[i - 1][j - 1] + 1 : std::max(lcs[i - 1][j], lcs[i][j - 1]);
    }
  }
  return a.size() + b.size() - 2 * lcs[a.size()][b.size()];
}

TEST(UnifiedDiffTest, EqualTextsGiveEmptyDiff) {
  EXPECT_EQ(Diff("", ""), "");
  EXPECT_EQ(Diff("a\nb\n", "a\nb\n"), "");
  EXPECT_EQ(Diff("no newline", "no newline"), "");
}

TEST(UnifiedDiffTest, Labels) {
  EXPECT_EQ(UnifiedDiff("a\n", "b\n", "/docs/x.md@v1", "/docs/x.md@v2"),
            "--- /docs/x.md@v1\n"
            "+++ /docs/x.md@v2\n"
            "@@ -1 +1 @@\n"
            "-a\n"
            "+b\n");
}

TEST(UnifiedDiffTest, InsertAtStart) {
  EXPECT_EQ(Diff("a\nb\nc\nd\ne\n", "new\na\nb\nc\nd\ne\n"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,3 +1,4 @@\n"
            "+new\n"
            " a\n"
            " b\n"
            " c\n");
}

TEST(UnifiedDiffTest, InsertInMiddle) {
  EXPECT_EQ(Diff(NumberedLines("l", 1, 10), "l1\nl2\nl3\nl4\nl5\nnew\nl6\nl7\nl8\nl9\nl10\n"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -3,6 +3,7 @@\n"
            " l3\n"
            " l4\n"
            " l5\n"
            "+new\n"
            " l6\n"
            " l7\n"
            " l8\n");
}

TEST(UnifiedDiffTest, InsertAtEnd) {
  EXPECT_EQ(Diff("a\nb\nc\nd\n", "a\nb\nc\nd\ne\nf\n"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -2,3 +2,5 @@\n"
            " b\n"
            " c\n"
            " d\n"
            "+e\n"
            "+f\n");
}

TEST(UnifiedDiffTest, Deletions) {
  EXPECT_EQ(Diff(NumberedLines("l", 1, 8), "l1\nl2\nl3\nl6\nl7\nl8\n"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,8 +1,6 @@\n"
            " l1\n"
            " l2\n"
            " l3\n"
            "-l4\n"
            "-l5\n"
            " l6\n"
            " l7\n"
            " l8\n");
  EXPECT_EQ(Diff("a\nb\n", "b\n"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,2 +1 @@\n"
            "-a\n"
            " b\n");
}

TEST(UnifiedDiffTest, Replacement) {
  EXPECT_EQ(Diff("a\nb\nc\nd\ne\n", "a\nB\nC\nd\ne\n", 1),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,4 +1,4 @@\n"
            " a\n"
            "-b\n"
            "-c\n"
            "+B\n"
            "+C\n"
            " d\n");
}

TEST(UnifiedDiffTest, DistantChangesMakeSeparateHunks) {
  // Changes at lines 2 and 20: 17 unchanged lines between, more than 2 * 3.
  std::string new_text = NumberedLines("l", 1, 20);
  new_text.replace(new_text.find("l2\n"), 3, "X2\n");
  new_text.replace(new_text.find("l20\n"), 4, "X20\n");
  EXPECT_EQ(Diff(NumberedLines("l", 1, 20), new_text),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,5 +1,5 @@\n"
            " l1\n"
            "-l2\n"
            "+X2\n"
            " l3\n"
            " l4\n"
            " l5\n"
            "@@ -17,4 +17,4 @@\n"
            " l17\n"
            " l18\n"
            " l19\n"
            "-l20\n"
            "+X20\n");
}

TEST(UnifiedDiffTest, ChangesSevenLinesApartStaySeparate) {
  // Lines 5 and 13 changed: 7 unchanged lines between, one more than 2 * 3.
  std::string new_text = NumberedLines("l", 1, 20);
  new_text.replace(new_text.find("l5\n"), 3, "X5\n");
  new_text.replace(new_text.find("l13\n"), 4, "X13\n");
  const std::string diff = Diff(NumberedLines("l", 1, 20), new_text);
  EXPECT_NE(diff.find("@@ -2,7 +2,7 @@\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -10,7 +10,7 @@\n"), std::string::npos) << diff;
}

TEST(UnifiedDiffTest, CloseChangesMergeIntoOneHunk) {
  // Lines 5 and 12 changed: 6 unchanged lines between, exactly 2 * 3.
  std::string new_text = NumberedLines("l", 1, 20);
  new_text.replace(new_text.find("l5\n"), 3, "X5\n");
  new_text.replace(new_text.find("l12\n"), 4, "X12\n");
  EXPECT_EQ(Diff(NumberedLines("l", 1, 20), new_text),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -2,14 +2,14 @@\n"
            " l2\n"
            " l3\n"
            " l4\n"
            "-l5\n"
            "+X5\n"
            " l6\n"
            " l7\n"
            " l8\n"
            " l9\n"
            " l10\n"
            " l11\n"
            "-l12\n"
            "+X12\n"
            " l13\n"
            " l14\n"
            " l15\n");
}

TEST(UnifiedDiffTest, ZeroContext) {
  EXPECT_EQ(Diff("a\nb\nc\n", "a\nB\nc\n", 0),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -2 +2 @@\n"
            "-b\n"
            "+B\n");
  // With no context an insertion is numbered by the line before it.
  EXPECT_EQ(Diff("a\nb\n", "a\nx\nb\n", 0),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,0 +2 @@\n"
            "+x\n");
  EXPECT_EQ(Diff("a\nb\n", "a\nb\n", 0), "");
  // Negative context is treated as none.
  EXPECT_EQ(Diff("a\nb\nc\n", "a\nB\nc\n", -5), Diff("a\nb\nc\n", "a\nB\nc\n", 0));
}

TEST(UnifiedDiffTest, EmptyOldText) {
  EXPECT_EQ(Diff("", "a\nb\n"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -0,0 +1,2 @@\n"
            "+a\n"
            "+b\n");
}

TEST(UnifiedDiffTest, EmptyNewText) {
  EXPECT_EQ(Diff("a\nb\n", ""),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,2 +0,0 @@\n"
            "-a\n"
            "-b\n");
}

TEST(UnifiedDiffTest, MissingNewlineOnOldSide) {
  EXPECT_EQ(Diff("a\nb", "a\nb\n"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,2 +1,2 @@\n"
            " a\n"
            "-b\n"
            "\\ No newline at end of file\n"
            "+b\n");
}

TEST(UnifiedDiffTest, MissingNewlineOnNewSide) {
  EXPECT_EQ(Diff("a\nb\n", "a\nb"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,2 +1,2 @@\n"
            " a\n"
            "-b\n"
            "+b\n"
            "\\ No newline at end of file\n");
}

TEST(UnifiedDiffTest, MissingNewlineOnBothSides) {
  EXPECT_EQ(Diff("a\nb", "a\nc"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,2 +1,2 @@\n"
            " a\n"
            "-b\n"
            "\\ No newline at end of file\n"
            "+c\n"
            "\\ No newline at end of file\n");
}

TEST(UnifiedDiffTest, MissingNewlineInContext) {
  EXPECT_EQ(Diff("a\nb\nc", "A\nb\nc"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,3 +1,3 @@\n"
            "-a\n"
            "+A\n"
            " b\n"
            " c\n"
            "\\ No newline at end of file\n");
}

TEST(UnifiedDiffTest, EmptyLinesAndCarriageReturns) {
  EXPECT_EQ(Diff("\n\n", "\n"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1,2 +1 @@\n"
            " \n"
            "-\n");
  EXPECT_EQ(Diff("a\r\n", "a\n"),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -1 +1 @@\n"
            "-a\r\n"
            "+a\n");
}

TEST(UnifiedDiffTest, LargeInputWithFewChanges) {
  const std::string old_text = NumberedLines("line ", 1, 10000);
  std::string new_text = old_text;
  new_text.replace(new_text.find("line 100\n"), 9, "changed 100\n");
  new_text.insert(new_text.find("line 5000\n"), "inserted\n");
  new_text.erase(new_text.find("line 9999\n"), 10);
  EXPECT_EQ(Diff(old_text, new_text),
            "--- a/f.txt\n"
            "+++ b/f.txt\n"
            "@@ -97,7 +97,7 @@\n"
            " line 97\n"
            " line 98\n"
            " line 99\n"
            "-line 100\n"
            "+changed 100\n"
            " line 101\n"
            " line 102\n"
            " line 103\n"
            "@@ -4997,6 +4997,7 @@\n"
            " line 4997\n"
            " line 4998\n"
            " line 4999\n"
            "+inserted\n"
            " line 5000\n"
            " line 5001\n"
            " line 5002\n"
            "@@ -9996,5 +9997,4 @@\n"
            " line 9996\n"
            " line 9997\n"
            " line 9998\n"
            "-line 9999\n"
            " line 10000\n");
}

TEST(UnifiedDiffTest, RepeatedLinesAreAlignedMinimally) {
  // The longest common subsequence is "x y x x": one "x" moves from before "y" to after.
  const std::string diff = Diff("x\nx\nx\ny\nx\n", "x\ny\nx\nx\nx\n");
  EXPECT_EQ(CountEdits(diff), 2u) << diff;
  EXPECT_EQ(ApplyDiff("x\nx\nx\ny\nx\n", diff), "x\ny\nx\nx\nx\n");
}

// Builds old and new texts whose shortest edit script has exactly 2 * pairs edits, with a
// common line between every pair of edits.
void InterleavedTexts(int pairs, std::string* old_text, std::string* new_text) {
  for (int i = 0; i < pairs; ++i) {
    *old_text += "old " + std::to_string(i) + "\nsame " + std::to_string(i) + "\n";
    *new_text += "new " + std::to_string(i) + "\nsame " + std::to_string(i) + "\n";
  }
}

TEST(UnifiedDiffTest, EditsUpToTheLimitAreMinimal) {
  std::string old_text, new_text;
  InterleavedTexts(kMaxDiffEdits / 2, &old_text, &new_text);
  const std::string diff = Diff(old_text, new_text, 0);
  EXPECT_EQ(CountEdits(diff), static_cast<size_t>(kMaxDiffEdits));
  EXPECT_EQ(ApplyDiff(old_text, diff), new_text);
  EXPECT_NE(diff.find("@@ -3 +3 @@\n-old 1\n+new 1\n"), std::string::npos);
}

TEST(UnifiedDiffTest, TooManyEditsReplaceTheMiddle) {
  std::string old_text, new_text;
  InterleavedTexts(kMaxDiffEdits / 2 + 1, &old_text, &new_text);
  old_text = "head\n" + old_text + "tail\n";
  new_text = "head\n" + new_text + "last\ntail\n";
  const std::string diff = Diff(old_text, new_text, 1);
  // One hunk replacing everything between the common first and last lines, though a
  // shorter script exists.
  const size_t middle = kMaxDiffEdits + 2;
  const std::string header = "@@ -1," + std::to_string(middle + 2) + " +1," +
                             std::to_string(middle + 3) + " @@\n head\n-old 0\n";
  EXPECT_TRUE(diff.starts_with("--- a/f.txt\n+++ b/f.txt\n" + header)) << diff.substr(0, 200);
  EXPECT_EQ(CountEdits(diff), 2 * middle + 1);
  EXPECT_TRUE(diff.ends_with("+last\n tail\n"));
  EXPECT_EQ(ApplyDiff(old_text, diff), new_text);
}

TEST(UnifiedDiffTest, RandomEditsAreMinimalAndApply) {
  std::mt19937 rng(20240601);
  // A small alphabet makes many repeated lines, the hard case for alignment.
  auto random_text = [&rng](int max_lines) {
    std::string text;
    const int lines = std::uniform_int_distribution<int>(0, max_lines)(rng);
    for (int i = 0; i < lines; ++i) {
      text += static_cast<char>('a' + std::uniform_int_distribution<int>(0, 3)(rng));
      text += '\n';
    }
    if (!text.empty() && rng() % 4 == 0) text.pop_back();
    return text;
  };
  for (int round = 0; round < 500; ++round) {
    const std::string old_text = random_text(30);
    const std::string new_text = random_text(30);
    const int context = static_cast<int>(rng() % 4);
    const std::string diff = Diff(old_text, new_text, context);
    SCOPED_TRACE("old:\n" + old_text + "\nnew:\n" + new_text + "\ndiff:\n" + diff);
    if (old_text == new_text) {
      EXPECT_EQ(diff, "");
      continue;
    }
    EXPECT_EQ(ApplyDiff(old_text, diff), new_text);
    EXPECT_EQ(CountEdits(diff),
              MinimumEdits(SplitKeepingNewlines(old_text), SplitKeepingNewlines(new_text)));
  }
}

}  // namespace
}  // namespace nexus

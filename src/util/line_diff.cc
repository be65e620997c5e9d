#include "util/line_diff.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <unordered_map>
#include <vector>

namespace nexus {
namespace {

using Index = std::ptrdiff_t;

// Lines keep their "\n", so a last line without one differs from the same line with one,
// and joining the lines gives back the text.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end);
  }
  return lines;
}

// Numbers each distinct line so that the search compares integers, not strings.
class LineTable {
 public:
  std::vector<size_t> Intern(const std::vector<std::string_view>& lines) {
    std::vector<size_t> ids;
    ids.reserve(lines.size());
    for (std::string_view line : lines) {
      ids.push_back(ids_.try_emplace(line, ids_.size()).first->second);
    }
    return ids;
  }

 private:
  std::unordered_map<std::string_view, size_t> ids_;
};

// Finds a shortest edit script from `a` to `b` with Myers' O(ND) algorithm in its
// linear-space form: bisect at the middle of a shortest path, then recurse on both halves.
// Marks the lines of `a` to delete and the lines of `b` to insert.
class EditSearch {
 public:
  EditSearch(const std::vector<size_t>& a, const std::vector<size_t>& b, std::vector<char>* deleted,
             std::vector<char>* inserted)
      : a_(a), b_(b), deleted_(*deleted), inserted_(*inserted) {}

  // False when the script needs more than kMaxDiffEdits edits; the marks are then partial.
  bool Run() { return Diff(0, static_cast<Index>(a_.size()), 0, static_cast<Index>(b_.size())); }

 private:
  enum class BisectResult { kSplit, kNothingCommon, kTooManyEdits };

  bool Diff(Index a0, Index a1, Index b0, Index b1) {
    // Common ends are never edited, and trimming them keeps the search small.
    while (a0 < a1 && b0 < b1 && a_[a0] == b_[b0]) ++a0, ++b0;
    while (a0 < a1 && b0 < b1 && a_[a1 - 1] == b_[b1 - 1]) --a1, --b1;
    if (a0 == a1 || b0 == b1) {
      MarkAll(a0, a1, b0, b1);
      return true;
    }
    Index x, y;
    switch (Bisect(a0, a1 - a0, b0, b1 - b0, &x, &y)) {
      case BisectResult::kTooManyEdits:
        return false;
      case BisectResult::kNothingCommon:
        MarkAll(a0, a1, b0, b1);
        return true;
      case BisectResult::kSplit:
        break;
    }
    return Diff(a0, a0 + x, b0, b0 + y) && Diff(a0 + x, a1, b0 + y, b1);
  }

  void MarkAll(Index a0, Index a1, Index b0, Index b1) {
    std::fill(deleted_.begin() + a0, deleted_.begin() + a1, 1);
    std::fill(inserted_.begin() + b0, inserted_.begin() + b1, 1);
  }

  // Runs the forward search from the top-left corner of a[a0, a0+n) x b[b0, b0+m) and the
  // backward search from the bottom-right corner, one edit at a time, until the two paths
  // overlap; (*x, *y) is then a point on a shortest path. Both halves of a path of D edits
  // take about D/2 steps, so capping the steps caps the edits.
  BisectResult Bisect(Index a0, Index n, Index b0, Index m, Index* x, Index* y) {
    const Index max_d = (n + m + 1) / 2;
    const Index limit = std::min<Index>(max_d, kMaxDiffEdits / 2 + 1);
    // forward_[offset + k] is the furthest x reached on diagonal k = x - y; backward_ is
    // the same for the reversed sequences. -1 marks a diagonal not reached yet.
    const Index offset = limit;
    const Index size = 2 * limit + 2;
    forward_.assign(size, -1);
    backward_.assign(size, -1);
    forward_[offset + 1] = 0;
    backward_[offset + 1] = 0;
    const Index delta = n - m;
    // With an odd delta the paths can first meet during a forward step, otherwise during
    // a backward one.
    const bool check_in_forward = delta % 2 != 0;
    // Diagonals that left the grid are skipped from then on.
    Index k1_start = 0, k1_end = 0, k2_start = 0, k2_end = 0;
    for (Index d = 0; d < limit; ++d) {
      for (Index k1 = -d + k1_start; k1 <= d - k1_end; k1 += 2) {
        const Index k1_offset = offset + k1;
        Index x1 = (k1 == -d || (k1 != d && forward_[k1_offset - 1] < forward_[k1_offset + 1]))
                       ? forward_[k1_offset + 1]
                       : forward_[k1_offset - 1] + 1;
        Index y1 = x1 - k1;
        while (x1 < n && y1 < m && a_[a0 + x1] == b_[b0 + y1]) ++x1, ++y1;
        forward_[k1_offset] = x1;
        if (x1 > n) {
          k1_end += 2;
        } else if (y1 > m) {
          k1_start += 2;
        } else if (check_in_forward) {
          const Index k2_offset = offset + delta - k1;
          if (k2_offset >= 0 && k2_offset < size && backward_[k2_offset] != -1 &&
              x1 >= n - backward_[k2_offset]) {
            *x = x1;
            *y = y1;
            return BisectResult::kSplit;
          }
        }
      }
      for (Index k2 = -d + k2_start; k2 <= d - k2_end; k2 += 2) {
        const Index k2_offset = offset + k2;
        Index x2 = (k2 == -d || (k2 != d && backward_[k2_offset - 1] < backward_[k2_offset + 1]))
                       ? backward_[k2_offset + 1]
                       : backward_[k2_offset - 1] + 1;
        Index y2 = x2 - k2;
        while (x2 < n && y2 < m && a_[a0 + n - x2 - 1] == b_[b0 + m - y2 - 1]) ++x2, ++y2;
        backward_[k2_offset] = x2;
        if (x2 > n) {
          k2_end += 2;
        } else if (y2 > m) {
          k2_start += 2;
        } else if (!check_in_forward) {
          const Index k1_offset = offset + delta - k2;
          if (k1_offset >= 0 && k1_offset < size && forward_[k1_offset] != -1 &&
              forward_[k1_offset] >= n - x2) {
            *x = forward_[k1_offset];
            *y = *x - (k1_offset - offset);
            return BisectResult::kSplit;
          }
        }
      }
    }
    return limit < max_d ? BisectResult::kTooManyEdits : BisectResult::kNothingCommon;
  }

  const std::vector<size_t>& a_;
  const std::vector<size_t>& b_;
  std::vector<char>& deleted_;
  std::vector<char>& inserted_;
  std::vector<Index> forward_;
  std::vector<Index> backward_;
};

// The fallback when the edit script is too long: keep the common prefix and suffix and
// replace everything between them.
void MarkMiddle(const std::vector<size_t>& a, const std::vector<size_t>& b,
                std::vector<char>* deleted, std::vector<char>* inserted) {
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  deleted->assign(a.size(), 0);
  inserted->assign(b.size(), 0);
  std::fill(deleted->begin() + prefix, deleted->end() - suffix, 1);
  std::fill(inserted->begin() + prefix, inserted->end() - suffix, 1);
}

// A run of deleted lines of the old text replaced by a run of inserted lines of the new
// text, with unchanged lines on both sides. Either run may be empty.
struct Change {
  size_t old_pos;
  size_t old_len;
  size_t new_pos;
  size_t new_len;
  size_t old_end() const { return old_pos + old_len; }
};

std::vector<Change> CollectChanges(const std::vector<char>& deleted,
                                   const std::vector<char>& inserted) {
  std::vector<Change> changes;
  size_t i = 0, j = 0;
  while (i < deleted.size() || j < inserted.size()) {
    if (i < deleted.size() && j < inserted.size() && !deleted[i] && !inserted[j]) {
      ++i, ++j;
      continue;
    }
    Change c{i, 0, j, 0};
    while (i < deleted.size() && deleted[i]) ++i;
    while (j < inserted.size() && inserted[j]) ++j;
    c.old_len = i - c.old_pos;
    c.new_len = j - c.new_pos;
    // Both texts have the same number of unchanged lines, so an empty change cannot occur.
    assert(c.old_len + c.new_len > 0);
    if (c.old_len + c.new_len == 0) break;
    changes.push_back(c);
  }
  return changes;
}

// "start,len" of a hunk header, 1-based. An empty range names the line before it.
std::string HunkRange(size_t start, size_t len) {
  if (len == 1) return std::to_string(start + 1);
  return std::to_string(len == 0 ? start : start + 1) + "," + std::to_string(len);
}

void AppendLine(char tag, std::string_view line, std::string* out) {
  out->push_back(tag);
  out->append(line);
  if (line.back() != '\n') out->append("\n\\ No newline at end of file\n");
}

// Writes the hunk for changes [first, last] with up to `context` unchanged lines around.
void AppendHunk(const std::vector<Change>& changes, size_t first, size_t last, size_t context,
                const std::vector<std::string_view>& old_lines,
                const std::vector<std::string_view>& new_lines, std::string* out) {
  const Change& head = changes[first];
  const Change& tail = changes[last];
  // Unchanged lines are aligned, so the same counts apply to both texts.
  const size_t lead = std::min(context, head.old_pos);
  const size_t trail = std::min(context, old_lines.size() - tail.old_end());
  const size_t old_start = head.old_pos - lead;
  const size_t new_start = head.new_pos - lead;
  const size_t old_len = tail.old_end() + trail - old_start;
  const size_t new_len = tail.new_pos + tail.new_len + trail - new_start;
  *out += "@@ -" + HunkRange(old_start, old_len) + " +" + HunkRange(new_start, new_len) + " @@\n";
  size_t o = old_start;
  for (size_t i = first; i <= last; ++i) {
    const Change& c = changes[i];
    for (; o < c.old_pos; ++o) AppendLine(' ', old_lines[o], out);
    for (; o < c.old_end(); ++o) AppendLine('-', old_lines[o], out);
    for (size_t n = c.new_pos; n < c.new_pos + c.new_len; ++n) AppendLine('+', new_lines[n], out);
  }
  for (; o < old_start + old_len; ++o) AppendLine(' ', old_lines[o], out);
}

}  // namespace

std::string UnifiedDiff(std::string_view old_text, std::string_view new_text,
                        std::string_view old_label, std::string_view new_label, int context) {
  if (old_text == new_text) return "";
  const std::vector<std::string_view> old_lines = SplitLines(old_text);
  const std::vector<std::string_view> new_lines = SplitLines(new_text);
  LineTable table;
  const std::vector<size_t> a = table.Intern(old_lines);
  const std::vector<size_t> b = table.Intern(new_lines);

  std::vector<char> deleted(a.size(), 0);
  std::vector<char> inserted(b.size(), 0);
  if (!EditSearch(a, b, &deleted, &inserted).Run()) MarkMiddle(a, b, &deleted, &inserted);
  const std::vector<Change> changes = CollectChanges(deleted, inserted);

  std::string out = "--- " + std::string(old_label) + "\n+++ " + std::string(new_label) + "\n";
  const size_t ctx = static_cast<size_t>(std::max(context, 0));
  for (size_t first = 0; first < changes.size();) {
    // Hunks whose context would touch or overlap are one hunk.
    size_t last = first;
    while (last + 1 < changes.size() &&
           changes[last + 1].old_pos - changes[last].old_end() <= 2 * ctx) {
      ++last;
    }
    AppendHunk(changes, first, last, ctx, old_lines, new_lines, &out);
    first = last + 1;
  }
  return out;
}

}  // namespace nexus

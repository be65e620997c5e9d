// Line diffs between two texts, in unified diff format.
#ifndef NEXUS_UTIL_LINE_DIFF_H_
#define NEXUS_UTIL_LINE_DIFF_H_

#include <string>
#include <string_view>

namespace nexus {

// Above this many line edits the diff stops searching for a minimal edit script and
// replaces everything between the common prefix and suffix, which bounds time and memory.
inline constexpr int kMaxDiffEdits = 10000;

// The unified diff that turns `old_text` into `new_text`: a "--- old_label" and
// "+++ new_label" header, then "@@ -a,b +c,d @@" hunks of " ", "-" and "+" lines with
// `context` unchanged lines around each change. As in GNU diff, a count of 1 is left out
// ("@@ -3 +3 @@"), an empty range is numbered by the line before it ("-0,0"), hunks whose
// context would touch or overlap are merged, and a last line without a newline is followed
// by "\ No newline at end of file". Empty when the texts are equal.
std::string UnifiedDiff(std::string_view old_text, std::string_view new_text,
                        std::string_view old_label, std::string_view new_label, int context = 3);

}  // namespace nexus

#endif  // NEXUS_UTIL_LINE_DIFF_H_

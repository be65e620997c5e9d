// The backstop of background threads: an exception escaping a thread ends the process
// (std::terminate), and a background thread has no caller to hand an error to. Each round of
// a background thread's work runs under RunGuarded, which catches what escapes, logs it to
// stderr and counts it by thread name, and the thread goes on with its next round. The
// server shows the counts in /metrics (nexus_background_errors_total{thread="..."}).
//
// A round should still handle the errors it expects (a Status, a corrupt row); the backstop
// is for the ones it does not.
#ifndef NEXUS_UTIL_BACKGROUND_H_
#define NEXUS_UTIL_BACKGROUND_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace nexus {

// Runs `round`. An exception it throws is logged as "nexus: <thread> thread caught: <what>",
// counted for `thread` and swallowed. Whether `round` returned normally.
bool RunGuarded(std::string_view thread, const std::function<void()>& round);

// Logs "nexus: <thread> thread: <what>" and counts it for `thread`: an error a background
// thread handled without an exception but that nobody else will see.
void ReportBackgroundError(std::string_view thread, std::string_view what);

// The errors counted since the process started, by thread name.
std::map<std::string, uint64_t> BackgroundErrorCounts();

}  // namespace nexus

#endif  // NEXUS_UTIL_BACKGROUND_H_

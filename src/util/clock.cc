#include "util/clock.h"

#include <chrono>
#include <string_view>

namespace nexus {

int64_t NowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// Reads exactly `n` digits at `pos`, advancing it.
bool ReadDigits(std::string_view s, size_t& pos, int n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int64_t{era} * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

// The proleptic Gregorian date of a day count since 1970-01-01: the inverse of
// DaysFromCivil (Howard Hinnant's algorithm).
CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2), month, day};
}

// Writes `value` in decimal, zero-padded to `width` digits, and returns the end.
char* WritePadded(char* out, int64_t value, int width) {
  if (value < 0) {
    *out++ = '-';
    value = -value;
  }
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  for (int i = n; i < width; ++i) *out++ = '0';
  while (n > 0) *out++ = digits[--n];
  return out;
}

// The fraction and the UTC offset after the seconds; false on anything else.
bool ReadFractionAndOffset(std::string_view s, size_t& pos, int64_t& micros,
                           int64_t& offset_seconds) {
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    micros = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (; digits < 6; ++digits) micros *= 10;
  }
  if (pos == s.size()) return true;
  if (s[pos] == 'Z' || s[pos] == 'z') return ++pos == s.size();
  if (s[pos] != '+' && s[pos] != '-') return false;
  const int sign = s[pos++] == '-' ? -1 : 1;
  int hh = 0, mm = 0;
  if (!ReadDigits(s, pos, 2, hh) || !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, mm) || hh > 23 ||
      mm > 59) {
    return false;
  }
  offset_seconds = sign * (hh * 3600 + mm * 60);
  return pos == s.size();
}

}  // namespace

// Formatted by hand: snprintf and gmtime_r (which takes glibc's time-zone lock) were most of
// the cost of listing a directory, where every entry carries two timestamps.
std::string FormatIsoMicros(int64_t micros) {
  constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;
  int64_t days = micros / kMicrosPerDay;
  int64_t in_day = micros % kMicrosPerDay;
  if (in_day < 0) {
    in_day += kMicrosPerDay;
    days -= 1;
  }
  const CivilDate date = CivilFromDays(days);
  const int64_t seconds = in_day / 1000000;
  char buf[48];
  char* p = WritePadded(buf, date.year, 4);
  *p++ = '-';
  p = WritePadded(p, date.month, 2);
  *p++ = '-';
  p = WritePadded(p, date.day, 2);
  *p++ = 'T';
  p = WritePadded(p, seconds / 3600, 2);
  *p++ = ':';
  p = WritePadded(p, seconds / 60 % 60, 2);
  *p++ = ':';
  p = WritePadded(p, seconds % 60, 2);
  *p++ = '.';
  p = WritePadded(p, in_day % 1000000, 6);
  for (const char c : std::string_view("+00:00")) *p++ = c;
  return std::string(buf, p);
}

StatusOr<int64_t> ParseIsoMicros(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgument("not an ISO-8601 timestamp: '" + std::string(text.substr(0, 64)) + "'");
  };
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(text, pos, 4, y) || !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, mo) ||
      !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, d)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return bad();
  int64_t micros = 0, offset = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return bad();
    ++pos;
    if (!ReadDigits(text, pos, 2, h) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, mi))
      return bad();
    if (pos < text.size() && text[pos] == ':' && !(++pos, ReadDigits(text, pos, 2, sec)))
      return bad();
    if (h > 23 || mi > 59 || sec > 59) return bad();
    if (!ReadFractionAndOffset(text, pos, micros, offset)) return bad();
  }
  const int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  return seconds * 1000000 + micros;
}

}  // namespace nexus

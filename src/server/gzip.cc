#include "server/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <charconv>

namespace nexus::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The q weight of one Accept-Encoding element's parameters ("q=0.5"); 1 when absent or
// unreadable, so a sloppy client still gets compression it asked for.
double QualityOf(std::string_view params) {
  while (!params.empty()) {
    const size_t semi = params.find(';');
    const std::string_view param = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
    double q = 1;
    const std::string_view number = param.substr(2);
    const auto result = std::from_chars(number.data(), number.data() + number.size(), q);
    return result.ec == std::errc() ? q : 1;
  }
  return 1;
}

// Releases the deflate state on every path out of GzipCompress.
class DeflateStream {
 public:
  DeflateStream() = default;
  ~DeflateStream() {
    if (initialised_) deflateEnd(&zs_);
  }
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;

  bool Init(int level) {
    // windowBits 16 + 15: a gzip header and trailer around the deflate stream.
    initialised_ = deflateInit2(&zs_, level, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    return initialised_;
  }
  z_stream* get() { return &zs_; }

 private:
  z_stream zs_{};
  bool initialised_ = false;
};

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    const std::string_view element = Trim(accept_encoding.substr(0, comma));
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const size_t semi = element.find(';');
    const std::string_view coding = Trim(element.substr(0, semi));
    if (!EqualsIgnoreCase(coding, "gzip") && !EqualsIgnoreCase(coding, "x-gzip")) continue;
    const std::string_view params =
        semi == std::string_view::npos ? std::string_view() : element.substr(semi + 1);
    return QualityOf(params) > 0;
  }
  return false;
}

StatusOr<std::string> GzipCompress(std::string_view data, int level) {
  DeflateStream stream;
  if (!stream.Init(level)) return Internal("gzip: deflateInit2 failed");
  z_stream* zs = stream.get();
  std::string out;
  out.resize(deflateBound(zs, static_cast<uLong>(std::min<size_t>(data.size(), 1u << 30))) + 64);
  size_t written = 0;
  const char* next = data.data();
  size_t left = data.size();
  for (;;) {
    // zlib counts in uInt; feed at most 1 GiB at a time so huge bodies cannot overflow it.
    const size_t chunk = std::min<size_t>(left, 1u << 30);
    zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(next));
    zs->avail_in = static_cast<uInt>(chunk);
    const int flush = chunk == left ? Z_FINISH : Z_NO_FLUSH;
    int rc = Z_OK;
    do {
      if (written == out.size()) out.resize(out.size() * 2);
      const size_t room = std::min<size_t>(out.size() - written, 1u << 30);
      zs->next_out = reinterpret_cast<Bytef*>(out.data() + written);
      zs->avail_out = static_cast<uInt>(room);
      rc = deflate(zs, flush);
      written += room - zs->avail_out;
      // Z_BUF_ERROR with output room left means no progress is possible: stop, not spin.
      if (rc == Z_STREAM_ERROR || (rc == Z_BUF_ERROR && zs->avail_out != 0)) {
        return Internal("gzip: deflate failed");
      }
    } while (zs->avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    next += chunk;
    left -= chunk;
    if (flush == Z_FINISH) break;
  }
  out.resize(written);
  return out;
}

void MaybeGzipResponse(const HttpRequest& req, HttpResponse* resp) {
  if (resp->body.size() < kGzipMinimumSize || resp->HasHeader("Content-Encoding") ||
      !AcceptsGzip(req.Header("Accept-Encoding"))) {
    return;
  }
  StatusOr<std::string> compressed = GzipCompress(resp->body);
  if (!compressed.ok()) return;  // sending it plain is always correct
  resp->body = std::move(compressed).value();
  resp->SetHeader("Content-Encoding", "gzip");
  resp->AddVary("Accept-Encoding");
}

}  // namespace nexus::server

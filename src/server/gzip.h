// gzip response compression (zlib), matching the reference's GZipMiddleware
// (minimum_size=1000, compresslevel=6). The Python client always accepts gzip, and JSON
// listings compress several-fold, so this is most of the bytes on the wire.
#ifndef NEXUS_SERVER_GZIP_H_
#define NEXUS_SERVER_GZIP_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "server/http_types.h"
#include "util/status.h"

namespace nexus::server {

// Bodies shorter than this are sent as they are: gzip would save little or grow them.
inline constexpr size_t kGzipMinimumSize = 1000;

// True when an Accept-Encoding value admits gzip ("gzip", "gzip;q=0.5", "br, gzip"), false
// for "gzip;q=0" and when gzip is not listed.
bool AcceptsGzip(std::string_view accept_encoding);

// `data` as a gzip member (RFC 1952) at zlib `level` (0-9).
StatusOr<std::string> GzipCompress(std::string_view data, int level = 6);

// Compresses `resp` in place when `req` accepts gzip, the body is at least
// kGzipMinimumSize bytes and the response has no Content-Encoding yet; then sets
// Content-Encoding: gzip and adds Accept-Encoding to Vary.
void MaybeGzipResponse(const HttpRequest& req, HttpResponse* resp);

}  // namespace nexus::server

#endif  // NEXUS_SERVER_GZIP_H_

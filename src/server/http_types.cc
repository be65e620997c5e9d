#include "server/http_types.h"

#include <algorithm>
#include <cstdio>

namespace nexus::server {
namespace {

const std::string* FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  const std::string* value = FindHeader(headers, name);
  return value ? *value : std::string();
}

bool HttpRequest::HasHeader(std::string_view name) const {
  return FindHeader(headers, name) != nullptr;
}

void HttpResponse::SetHeader(std::string_view name, std::string_view value) {
  RemoveHeader(name);
  AddHeader(name, value);
}

void HttpResponse::AddHeader(std::string_view name, std::string_view value) {
  headers.emplace_back(std::string(name), std::string(value));
}

void HttpResponse::RemoveHeader(std::string_view name) {
  std::erase_if(headers,
                [name](const auto& header) { return EqualsIgnoreCase(header.first, name); });
}

void HttpResponse::AddVary(std::string_view field) {
  const std::string existing = Header("Vary");
  SetHeader("Vary", existing.empty() ? std::string(field) : existing + ", " + std::string(field));
}

std::string HttpResponse::Header(std::string_view name) const {
  const std::string* value = FindHeader(headers, name);
  return value ? *value : std::string();
}

bool HttpResponse::HasHeader(std::string_view name) const {
  return FindHeader(headers, name) != nullptr;
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

HttpResponse DetailResponse(int status, std::string_view detail) {
  return JsonResponse(status, "{\"detail\":" + JsonQuote(detail) + "}");
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out.push_back(c);  // UTF-8 bytes pass through unchanged
        }
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace nexus::server

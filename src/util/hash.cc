#include "util/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <initializer_list>
#include <stdexcept>

namespace nexus {
namespace {

constexpr size_t kSha256Size = 32;
constexpr size_t kSha256BlockSize = 64;

// SHA-256 fetched once. The convenience calls (SHA256(), HMAC(), EVP_Q_digest) look the
// algorithm up by name on every call, which cost more than hashing a 1 KiB file.
const EVP_MD* Sha256Md() {
  static EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) throw std::runtime_error("OpenSSL has no SHA256");
    return fetched;
  }();
  return md;
}

// SHA-256 over the concatenation of `parts`, into `digest` (kSha256Size bytes).
void Sha256Parts(std::initializer_list<std::string_view> parts, unsigned char* digest) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) == 1;
  for (std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx, digest, nullptr) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("SHA-256 failed");
}

std::string Hex(const unsigned char* digest, size_t len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * len, '0');
  for (size_t i = 0; i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

std::string_view AsView(const unsigned char* bytes, size_t len) {
  return std::string_view(reinterpret_cast<const char*>(bytes), len);
}

}  // namespace

std::string Sha256(std::string_view data) {
  unsigned char digest[kSha256Size];
  Sha256Parts({data}, digest);
  return std::string(AsView(digest, kSha256Size));
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[kSha256Size];
  Sha256Parts({data}, digest);
  return Hex(digest, kSha256Size);
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex2(ctx_, Sha256Md(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(ctx_); }

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1)
    throw std::runtime_error("SHA-256 failed");
}

std::string Sha256Hasher::FinishHex() {
  unsigned char digest[kSha256Size];
  if (EVP_DigestFinal_ex(ctx_, digest, nullptr) != 1) throw std::runtime_error("SHA-256 failed");
  return Hex(digest, kSha256Size);
}

// RFC 2104 over the fetched digest: H((K ^ opad) || H((K ^ ipad) || data)).
std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char block[kSha256BlockSize] = {};
  if (key.size() > kSha256BlockSize) {
    Sha256Parts({key}, block);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char inner_pad[kSha256BlockSize];
  unsigned char outer_pad[kSha256BlockSize];
  for (size_t i = 0; i < kSha256BlockSize; ++i) {
    inner_pad[i] = block[i] ^ 0x36;
    outer_pad[i] = block[i] ^ 0x5c;
  }
  unsigned char inner[kSha256Size];
  Sha256Parts({AsView(inner_pad, kSha256BlockSize), data}, inner);
  unsigned char digest[kSha256Size];
  Sha256Parts({AsView(outer_pad, kSha256BlockSize), AsView(inner, kSha256Size)}, digest);
  // The pads are the key in disguise (an API-key pepper, a webhook secret): do not leave
  // them on the stack (OpenSSL's HMAC() wipes its copies too).
  for (unsigned char* secret : {block, inner_pad, outer_pad}) {
    OPENSSL_cleanse(secret, kSha256BlockSize);
  }
  OPENSSL_cleanse(inner, kSha256Size);
  return Hex(digest, kSha256Size);
}

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 2 * kSha256Size) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace nexus

#include "util/aead.h"

#include <openssl/evp.h>

#include <climits>
#include <memory>

#include "util/ids.h"

namespace nexus {
namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// EVP takes int lengths; secrets this large are a bug, not input.
bool FitsInt(std::string_view a, std::string_view b) {
  return a.size() < INT_MAX / 2 && b.size() < INT_MAX / 2;
}

// Starts an AES-256-GCM context for `encrypt` with `key`, `nonce` and `associated` data.
StatusOr<CipherCtx> Begin(bool encrypt, const std::string& key, std::string_view nonce,
                          std::string_view associated) {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kAeadNonceBytes, nullptr) != 1 ||
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce), encrypt) != 1 ||
      EVP_CipherUpdate(ctx.get(), nullptr, &len, Bytes(associated),
                       static_cast<int>(associated.size())) != 1) {
    return Internal("AES-256-GCM could not be initialised");
  }
  return ctx;
}

}  // namespace

StatusOr<Aead> Aead::Create(std::string key) {
  if (key.size() != kAeadKeyBytes) {
    return InvalidArgument("an AES-256-GCM key is " + std::to_string(kAeadKeyBytes) +
                           " bytes, got " + std::to_string(key.size()));
  }
  return Aead(std::move(key));
}

StatusOr<std::string> Aead::Seal(std::string_view plaintext, std::string_view associated) const {
  if (!FitsInt(plaintext, associated)) return Internal("value too large to encrypt");
  const std::string nonce = RandomBytes(kAeadNonceBytes);
  ASSIGN_OR_RETURN(CipherCtx ctx, Begin(true, key_, nonce, associated));
  std::string out = nonce;
  out.resize(kAeadNonceBytes + plaintext.size() + kAeadTagBytes);
  unsigned char* body = Bytes(out) + kAeadNonceBytes;
  int len = 0;
  int final_len = 0;
  if (EVP_EncryptUpdate(ctx.get(), body, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAeadTagBytes,
                          body + plaintext.size()) != 1) {
    return Internal("AES-256-GCM encryption failed");
  }
  return out;
}

StatusOr<std::string> Aead::Open(std::string_view sealed, std::string_view associated) const {
  if (sealed.size() < kAeadNonceBytes + kAeadTagBytes || !FitsInt(sealed, associated))
    return Internal("encrypted value is truncated");
  const std::string_view nonce = sealed.substr(0, kAeadNonceBytes);
  const std::string_view body =
      sealed.substr(kAeadNonceBytes, sealed.size() - kAeadNonceBytes - kAeadTagBytes);
  std::string tag(sealed.substr(sealed.size() - kAeadTagBytes));
  ASSIGN_OR_RETURN(CipherCtx ctx, Begin(false, key_, nonce, associated));
  std::string out(body.size(), '\0');
  int len = 0;
  int final_len = 0;
  if (EVP_DecryptUpdate(ctx.get(), Bytes(out), &len, Bytes(body), static_cast<int>(body.size())) !=
          1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAeadTagBytes, Bytes(tag)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), Bytes(out) + len, &final_len) != 1) {
    return Internal(
        "encrypted value does not authenticate: it was changed, or sealed under another key");
  }
  return out;
}

}  // namespace nexus

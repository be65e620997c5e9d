// A certificate and private key made at run time, for tests that serve HTTPS over loopback
// without shipping key material in the tree.
#ifndef NEXUS_TESTING_TLS_IDENTITY_H_
#define NEXUS_TESTING_TLS_IDENTITY_H_

#include <string>
#include <string_view>

namespace nexus::test {

struct TlsIdentity {
  std::string certificate_pem;
  std::string private_key_pem;
};

// A self-signed P-256 certificate for `host`, valid from a minute ago for a day: its
// subject CN and its subjectAltName name `host` (an IP entry for an address such as
// "127.0.0.1", a DNS entry otherwise). Trusting certificate_pem as a CA makes it verify.
// Aborts when OpenSSL fails: no test can go on without it.
TlsIdentity MakeSelfSignedIdentity(std::string_view host);

}  // namespace nexus::test

#endif  // NEXUS_TESTING_TLS_IDENTITY_H_

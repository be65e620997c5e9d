// The identity of a request, from its credentials (spec/api.md §5.2-§5.6). This is the
// auth module's face for the server: the server extracts the headers, calls Authenticate,
// and either refuses the request (http_status != 200) or runs it as `caller`.
#ifndef NEXUS_AUTH_AUTHENTICATOR_H_
#define NEXUS_AUTH_AUTHENTICATOR_H_

#include <optional>
#include <string>
#include <string_view>

#include "auth/agent_directory.h"
#include "auth/identity.h"
#include "auth/key_store.h"
#include "util/status.h"

namespace nexus::auth {

enum class AuthMode {
  kDatabase,  // `--auth-type database`: a valid API key is required
  kNone,      // open access: headers say who the caller is, and nothing is checked
};

// The request headers that carry identity, as received (empty = absent).
struct Credentials {
  std::string authorization;  // Authorization
  std::string agent_id;       // X-Agent-ID
  std::string nexus_subject;  // X-Nexus-Subject (open access only)
  std::string nexus_tenant;   // X-Nexus-Tenant-ID (open access only)
};

inline constexpr char kInvalidApiKeyMessage[] = "Invalid or missing API key";

struct AuthOutcome {
  // Whether the credentials name someone: whoami's "authenticated". It can be true while
  // the request is still refused (a valid key with a foreign X-Agent-ID).
  bool authenticated = false;
  // whoami's view: the key's identity, before X-Agent-ID and before defaults (so a missing
  // tenant or subject stays empty and whoami shows null).
  Identity raw;
  // Who the request acts as: X-Agent-ID applied, tenant "default" and subject "anonymous"
  // when none is named, user_id the owning user, agent_id set for agent subjects.
  Identity caller;
  // 200: go ahead. 401: no valid credential. 400: a malformed identity header.
  // 403: X-Agent-ID names an agent the key's user does not own, or one not registered
  // (never registered, or deleted).
  int http_status = 200;
  std::string error;  // the message to send when http_status != 200
};

class Authenticator {
 public:
  // `keys` and `agents` are required for kDatabase (and must outlive this); they are not
  // used for kNone, whose headers are trusted.
  Authenticator(AuthMode mode, KeyStore* keys, AgentDirectory* agents)
      : mode_(mode), keys_(keys), agents_(agents) {}

  AuthMode mode() const { return mode_; }

  // A refusal is an outcome, not an error; errors are the database's (the server answers
  // them as internal errors, without revealing anything about the key).
  StatusOr<AuthOutcome> Authenticate(const Credentials& credentials) const;

 private:
  StatusOr<AuthOutcome> AuthenticateKey(const Credentials& credentials) const;
  // X-Agent-ID on a key's user identity: the refusal, or `out` acting as the agent.
  StatusOr<AuthOutcome> ActAsAgentOfKey(AuthOutcome out, const std::string& agent) const;
  AuthOutcome AuthenticateOpen(const Credentials& credentials) const;

  const AuthMode mode_;
  KeyStore* const keys_;
  AgentDirectory* const agents_;
};

// The token of an `Authorization: Bearer <token>` value (case-sensitive "Bearer", one
// space); none for anything else, which counts as no credential.
std::optional<std::string_view> BearerToken(std::string_view authorization);

// The user owning agent `agent_id`: "<user>,<name>" belongs to <user> (both non-empty, one
// comma). Empty when the id has another form. X-Agent-ID must name an agent of the key's user
// by this rule, and a registered one.
std::string_view AgentOwner(std::string_view agent_id);

}  // namespace nexus::auth

#endif  // NEXUS_AUTH_AUTHENTICATOR_H_

#include "auth/authenticator.h"

#include <algorithm>
#include <utility>

#include "auth/api_key.h"
#include "util/path.h"

namespace nexus::auth {
namespace {

constexpr std::string_view kBearerPrefix = "Bearer ";
constexpr size_t kMaxHeaderIdBytes = 255;  // the reference's column size for ids
constexpr size_t kMaxSubjectTypeBytes = 32;

// Header values become identities, which reach permission checks, paths, logs and JSON:
// refuse over-long values, control characters and invalid UTF-8 instead of passing them on.
bool IsCleanHeaderId(std::string_view v) {
  if (v.empty() || v.size() > kMaxHeaderIdBytes || !IsValidUtf8(v)) return false;
  return std::none_of(v.begin(), v.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool IsSubjectType(std::string_view t) {
  if (t.empty() || t.size() > kMaxSubjectTypeBytes) return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

AuthOutcome Refuse(AuthOutcome outcome, int http_status, std::string error) {
  outcome.http_status = http_status;
  outcome.error = std::move(error);
  return outcome;
}

// The identity a request acts as, from the raw one: spec/api.md §5.5 with our defaults.
Identity CallerFrom(const Identity& raw) {
  Identity c = raw;
  if (c.subject_type.empty()) c.subject_type = "user";
  if (c.subject_id.empty()) c.subject_id = kAnonymousSubject;
  if (c.tenant_id.empty()) c.tenant_id = kDefaultTenant;
  if (c.subject_type == "agent") {
    c.agent_id = c.subject_id;
    if (c.user_id.empty()) {
      const std::string_view owner = AgentOwner(c.subject_id);
      c.user_id = std::string(owner.empty() ? std::string_view(c.subject_id) : owner);
    }
    // inherit_permissions stays the agent key's own: whether the agent may use its owner's
    // permissions is what the flag is for.
  } else {
    c.user_id = c.subject_id;
    c.agent_id.clear();
    c.inherit_permissions = true;  // the reference's context default
  }
  return c;
}

// X-Agent-ID on a user identity: the user acts as one of its agents. The user stays the
// owner, and the agent may use the owner's permissions: the owner authenticated.
void ActAsAgent(Identity& caller, const std::string& agent_id) {
  caller.subject_type = "agent";
  caller.subject_id = agent_id;
  caller.agent_id = agent_id;
}

// Open access: "sk-<tenant>_<user>_..." names tenant and user, best effort (§5.3).
void ParseOpenAccessToken(std::string_view token, Identity& raw) {
  if (token.size() > kMaxApiKeyLength || token.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) {
    return;
  }
  if (!std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return;
  }
  const std::string_view rest = token.substr(kApiKeyPrefix.size());
  const size_t first = rest.find('_');
  if (first == std::string_view::npos) return;
  const std::string_view tenant = rest.substr(0, first);
  std::string_view user = rest.substr(first + 1);
  user = user.substr(0, user.find('_'));
  if (!user.empty()) {
    raw.subject_type = "user";
    raw.subject_id = std::string(user);
  }
  if (!tenant.empty()) raw.tenant_id = std::string(tenant);
}

}  // namespace

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  if (authorization.substr(0, kBearerPrefix.size()) != kBearerPrefix) return std::nullopt;
  return authorization.substr(kBearerPrefix.size());
}

std::string_view AgentOwner(std::string_view agent_id) {
  const size_t comma = agent_id.find(',');
  if (comma == std::string_view::npos || comma == 0 || comma + 1 == agent_id.size()) return {};
  if (agent_id.find(',', comma + 1) != std::string_view::npos) return {};
  return agent_id.substr(0, comma);
}

StatusOr<AuthOutcome> Authenticator::Authenticate(const Credentials& credentials) const {
  if (mode_ == AuthMode::kNone) return AuthenticateOpen(credentials);
  return AuthenticateKey(credentials);
}

StatusOr<AuthOutcome> Authenticator::AuthenticateKey(const Credentials& credentials) const {
  if (keys_ == nullptr || agents_ == nullptr)
    return Internal("database authentication without a key store or an agent registry");
  AuthOutcome out;
  const std::optional<std::string_view> token = BearerToken(credentials.authorization);
  if (!token) return Refuse(std::move(out), 401, kInvalidApiKeyMessage);
  ASSIGN_OR_RETURN(std::optional<Identity> identity, keys_->Authenticate(*token));
  if (!identity) return Refuse(std::move(out), 401, kInvalidApiKeyMessage);

  out.authenticated = true;
  out.raw = *std::move(identity);
  out.caller = CallerFrom(out.raw);
  const std::string& agent = credentials.agent_id;
  if (agent.empty() || out.caller.subject_type != "user") return out;
  return ActAsAgentOfKey(std::move(out), agent);
}

StatusOr<AuthOutcome> Authenticator::ActAsAgentOfKey(AuthOutcome out,
                                                     const std::string& agent) const {
  if (!IsCleanHeaderId(agent)) {
    return Refuse(std::move(out), 400,
                  "Invalid X-Agent-ID header: expected at most 255 bytes of printable UTF-8");
  }
  if (AgentOwner(agent) != out.caller.user_id) {
    std::string error = "Agent " + agent + " is not owned by " + out.caller.user_id;
    return Refuse(std::move(out), 403, std::move(error));
  }
  // Owning the name is not enough: an agent that was never registered, or was deleted, has
  // no directory, grants or keys, and must not appear as the subject of anything.
  ASSIGN_OR_RETURN(const bool registered, agents_->IsRegistered(out.caller.tenant_id, agent));
  if (!registered) return Refuse(std::move(out), 403, "Agent " + agent + " is not registered");
  ActAsAgent(out.caller, agent);
  return out;
}

AuthOutcome Authenticator::AuthenticateOpen(const Credentials& credentials) const {
  AuthOutcome out;
  out.authenticated = true;
  Identity& raw = out.raw;
  raw.inherit_permissions = true;
  if (!credentials.nexus_subject.empty()) {
    const std::string& header = credentials.nexus_subject;
    const size_t colon = header.find(':');
    if (colon == std::string::npos || !IsSubjectType(header.substr(0, colon)) ||
        !IsCleanHeaderId(header.substr(colon + 1))) {
      return Refuse(std::move(out), 400, "Invalid X-Nexus-Subject header: expected <type>:<id>");
    }
    raw.subject_type = header.substr(0, colon);
    raw.subject_id = header.substr(colon + 1);
  } else if (const auto token = BearerToken(credentials.authorization)) {
    ParseOpenAccessToken(*token, raw);
  }
  if (!credentials.nexus_tenant.empty()) {
    if (!IsCleanHeaderId(credentials.nexus_tenant)) {
      return Refuse(std::move(out), 400,
                    "Invalid X-Nexus-Tenant-ID header: expected at most 255 bytes of printable "
                    "UTF-8");
    }
    raw.tenant_id = credentials.nexus_tenant;
  }
  if (raw.subject_type == "agent") {
    raw.agent_id = raw.subject_id;
    raw.user_id = std::string(AgentOwner(raw.subject_id));
  } else {
    raw.user_id = raw.subject_id;
  }
  out.caller = CallerFrom(raw);

  // Open access trusts its headers, so X-Agent-ID needs no ownership check here: the
  // caller could name the agent through X-Nexus-Subject anyway.
  const std::string& agent = credentials.agent_id;
  if (agent.empty() || out.caller.subject_type != "user") return out;
  if (!IsCleanHeaderId(agent)) {
    return Refuse(std::move(out), 400,
                  "Invalid X-Agent-ID header: expected at most 255 bytes of printable UTF-8");
  }
  ActAsAgent(out.caller, agent);
  return out;
}

}  // namespace nexus::auth

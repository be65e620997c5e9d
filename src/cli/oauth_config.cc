#include "cli/oauth_config.h"

#include <nlohmann/json.hpp>
#include <set>

#include "util/url.h"

namespace nexus::cli {
namespace {

using Json = nlohmann::json;

Status KeyError(const std::string& key, const std::string& what) {
  return InvalidArgument("config key '" + key + "' " + what);
}

Status ReadString(const YAML::Node& node, const std::string& key, std::string* out) {
  if (!node.IsScalar()) return KeyError(key, "must be a string");
  *out = node.Scalar();
  return Status::OK();
}

Status ReadBool(const YAML::Node& node, const std::string& key, bool* out) {
  if (!node.IsScalar()) return KeyError(key, "must be true or false");
  try {
    *out = node.as<bool>();
  } catch (const YAML::Exception&) {
    return KeyError(key, "must be true or false, got '" + node.Scalar() + "'");
  }
  return Status::OK();
}

Status ReadStrings(const YAML::Node& node, const std::string& key, std::vector<std::string>* out) {
  if (!node.IsSequence()) return KeyError(key, "must be a list of strings");
  out->resize(node.size());
  for (size_t i = 0; i < node.size(); ++i)
    RETURN_IF_ERROR(ReadString(node[i], key + "[" + std::to_string(i) + "]", &(*out)[i]));
  return Status::OK();
}

// Metadata is shown to clients as JSON; YAML scalars become strings.
Json ToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    Json out = Json::object();
    for (const auto& entry : node) out[entry.first.Scalar()] = ToJson(entry.second);
    return out;
  }
  if (node.IsSequence()) {
    Json out = Json::array();
    for (const auto& item : node) out.push_back(ToJson(item));
    return out;
  }
  return node.IsScalar() ? Json(node.Scalar()) : Json(nullptr);
}

Status CheckUrl(const std::string& url, const std::string& key) {
  const Status parsed = ParseHttpUrl(url).status();
  return parsed.ok() ? parsed : KeyError(key, "is not an http(s) URL: " + parsed.message());
}

Status CheckName(const std::string& name, const std::string& key) {
  if (name.empty() || name.size() > 64) return KeyError(key, "must be 1 to 64 characters");
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.')
      return KeyError(key, "may hold only letters, digits, '_', '-' and '.', got '" + name + "'");
  }
  return Status::OK();
}

Status ReadProviderField(const std::string& field, const YAML::Node& value, const std::string& key,
                         services::OAuthProvider* p, std::vector<std::string>* ignored) {
  if (field == "name") return ReadString(value, key, &p->name);
  if (field == "display_name") return ReadString(value, key, &p->display_name);
  if (field == "client_id") return ReadString(value, key, &p->client_id);
  if (field == "client_secret") return ReadString(value, key, &p->client_secret);
  if (field == "authorize_url") return ReadString(value, key, &p->authorize_url);
  if (field == "token_url") return ReadString(value, key, &p->token_url);
  if (field == "revoke_url") return ReadString(value, key, &p->revoke_url);
  if (field == "scopes") return ReadStrings(value, key, &p->scopes);
  if (field == "requires_pkce" || field == "pkce") return ReadBool(value, key, &p->requires_pkce);
  if (field == "metadata") {
    if (!value.IsMap()) return KeyError(key, "must be a mapping");
    p->metadata_json = ToJson(value).dump();
    return Status::OK();
  }
  ignored->push_back(key);
  return Status::OK();
}

Status CheckProvider(const services::OAuthProvider& p, const std::string& key) {
  RETURN_IF_ERROR(CheckName(p.name, key + ".name"));
  if (p.client_id.empty()) return KeyError(key + ".client_id", "is required");
  if (p.client_secret.empty() && !p.requires_pkce)
    return KeyError(key + ".client_secret", "is required unless the provider uses PKCE");
  RETURN_IF_ERROR(CheckUrl(p.authorize_url, key + ".authorize_url"));
  RETURN_IF_ERROR(CheckUrl(p.token_url, key + ".token_url"));
  if (!p.revoke_url.empty()) RETURN_IF_ERROR(CheckUrl(p.revoke_url, key + ".revoke_url"));
  for (const std::string& scope : p.scopes) {
    if (scope.empty() || scope.find_first_of(" \t\r\n") != std::string::npos)
      return KeyError(key + ".scopes", "must be non-empty scopes without spaces");
  }
  return Status::OK();
}

Status ReadProviders(const YAML::Node& node, OAuthConfig* out, std::vector<std::string>* ignored) {
  if (!node.IsSequence()) return KeyError("oauth.providers", "must be a list");
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string key = "oauth.providers[" + std::to_string(i) + "]";
    if (!node[i].IsMap()) return KeyError(key, "must be a mapping");
    services::OAuthProvider p;
    for (const auto& entry : node[i]) {
      const std::string field = entry.first.Scalar();
      RETURN_IF_ERROR(ReadProviderField(field, entry.second, key + "." + field, &p, ignored));
    }
    RETURN_IF_ERROR(CheckProvider(p, key));
    if (p.display_name.empty()) p.display_name = p.name;
    if (!names.insert(p.name).second) return KeyError(key + ".name", "repeats '" + p.name + "'");
    out->providers.push_back(std::move(p));
  }
  return Status::OK();
}

}  // namespace

Status ReadOAuthConfig(const YAML::Node& node, OAuthConfig* out,
                       std::vector<std::string>* ignored) {
  if (!node.IsMap()) return KeyError("oauth", "must be a mapping");
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    if (key == "providers") {
      RETURN_IF_ERROR(ReadProviders(entry.second, out, ignored));
    } else if (key == "encryption_key") {
      RETURN_IF_ERROR(ReadString(entry.second, "oauth.encryption_key", &out->encryption_key));
    } else {
      ignored->push_back("oauth." + key);
    }
  }
  return Status::OK();
}

}  // namespace nexus::cli

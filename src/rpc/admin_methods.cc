// The admin key-management methods of api.md §5.7. Admins manage keys of their own tenant.
#include "auth/key_store.h"
#include "auth/tenant_paths.h"
#include "rebac/rebac.h"
#include "rpc/method_table.h"
#include "vfs/path_tree.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

// The tenant an admin's key operations are confined to: its own, or none for the system
// administrator, who administers every tenant.
std::string_view ScopeOf(const auth::Identity& caller) {
  return caller.is_system ? std::string_view() : std::string_view(caller.tenant_id);
}

// The key store, once the caller is known to be an admin.
StatusOr<auth::KeyStore*> AdminKeys(const CallContext& ctx) {
  if (!ctx.caller.is_admin) return PermissionDenied("Admin privileges required for this operation");
  if (ctx.services.keys == nullptr) return Internal("Database auth provider not configured");
  return ctx.services.keys;
}

// A user with a key has a home it owns: /tenant:<t>/user:<u>.
Status EnsureHome(const CallContext& ctx, const std::string& tenant, const std::string& user) {
  const std::string home = auth::TenantRoot(tenant) + "/user:" + user;
  RETURN_IF_ERROR(
      ctx.services.tree->Mkdir(vfs::Actor{user}, home, /*parents=*/true, /*exist_ok=*/true));
  rebac::TupleWrite owner;
  owner.tenant_id = tenant;
  owner.subject = {"user", user, ""};
  owner.relation = "direct_owner";
  owner.object = {"file", home};
  return ctx.services.rebac->WriteTuple(owner).status();
}

Json KeyRecordJson(const auth::KeyRecord& k) {
  return Json{{"key_id", k.key_id},
              {"user_id", k.user_id},
              {"subject_type", k.subject_type},
              {"subject_id", k.subject_id},
              {"name", k.name},
              {"tenant_id", k.tenant_id.empty() ? Json(nullptr) : Json(k.tenant_id)},
              {"is_admin", k.is_admin},
              {"created_at", IsoOrNull(k.created_at)},
              {"expires_at", IsoOrNull(k.expires_at)},
              {"revoked", k.revoked},
              {"revoked_at", IsoOrNull(k.revoked_at)},
              {"last_used_at", IsoOrNull(k.last_used_at)}};
}

StatusOr<MethodResult> CreateKey(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(auth::KeyStore * keys, AdminKeys(ctx));
  auth::NewKey key;
  key.user_id = p.Str("user_id");
  key.name = p.Str("name");
  key.is_admin = p.Bool("is_admin");
  key.expires_days = p.OptInt("expires_days");
  key.tenant_id = p.OptStr("tenant_id").value_or(ctx.caller.tenant_id);
  key.subject_type = p.Str("subject_type");
  key.subject_id = p.Str("subject_id");
  ASSIGN_OR_RETURN(const auth::CreatedKey created, keys->CreateKey(ScopeOf(ctx.caller), key));
  const auth::KeyRecord& r = created.record;
  if (r.subject_type == "user") RETURN_IF_ERROR(EnsureHome(ctx, r.tenant_id, r.user_id));
  return MethodResult(Json{{"key_id", r.key_id},
                           {"api_key", created.api_key},
                           {"user_id", r.user_id},
                           {"name", r.name},
                           {"subject_type", r.subject_type},
                           {"subject_id", r.subject_id},
                           {"tenant_id", r.tenant_id},
                           {"is_admin", r.is_admin},
                           {"expires_at", IsoOrNull(r.expires_at)}});
}

StatusOr<MethodResult> ListKeys(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(auth::KeyStore * keys, AdminKeys(ctx));
  auth::KeyFilter filter;
  filter.user_id = p.OptStr("user_id");
  // The system administrator may look into any tenant, but by default sees its own.
  filter.tenant_id = p.OptStr("tenant_id");
  if (!filter.tenant_id) filter.tenant_id = ctx.caller.tenant_id;
  if (p.Has("is_admin")) filter.is_admin = p.Bool("is_admin");
  filter.include_revoked = p.Bool("include_revoked");
  filter.include_expired = p.Bool("include_expired");
  filter.limit = p.Int("limit");
  filter.offset = p.Int("offset");
  ASSIGN_OR_RETURN(const auth::KeyPage page, keys->ListKeys(ScopeOf(ctx.caller), filter));
  Json list = Json::array();
  for (const auth::KeyRecord& k : page.keys) list.push_back(KeyRecordJson(k));
  return MethodResult(Json{{"keys", std::move(list)}, {"total", page.total}});
}

StatusOr<MethodResult> GetKey(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(auth::KeyStore * keys, AdminKeys(ctx));
  ASSIGN_OR_RETURN(const auth::KeyRecord record,
                   keys->GetKey(ScopeOf(ctx.caller), p.Str("key_id")));
  return MethodResult(KeyRecordJson(record));
}

StatusOr<MethodResult> RevokeKey(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(auth::KeyStore * keys, AdminKeys(ctx));
  RETURN_IF_ERROR(keys->RevokeKey(ScopeOf(ctx.caller), p.Str("key_id")));
  return MethodResult(Json{{"success", true}, {"key_id", p.Str("key_id")}});
}

StatusOr<MethodResult> UpdateKey(const Params& p, CallContext& ctx) {
  ASSIGN_OR_RETURN(auth::KeyStore * keys, AdminKeys(ctx));
  auth::KeyUpdate update;
  update.expires_days = p.OptInt("expires_days");
  if (p.Has("is_admin")) update.is_admin = p.Bool("is_admin");
  update.name = p.OptStr("name");
  ASSIGN_OR_RETURN(const auth::KeyRecord r,
                   keys->UpdateKey(ScopeOf(ctx.caller), p.Str("key_id"), update));
  return MethodResult(Json{{"success", true},
                           {"key_id", r.key_id},
                           {"name", r.name},
                           {"is_admin", r.is_admin},
                           {"expires_at", IsoOrNull(r.expires_at)}});
}

}  // namespace

void AddAdminMethods(MethodTable& t) {
  const auto key_id = Required("key_id", P::kString);
  t.Add({"admin_create_key",
         {Required("user_id", P::kString), Required("name", P::kString),
          Optional("is_admin", P::kBool, false), Optional("expires_days", P::kInt),
          Optional("tenant_id", P::kString), Optional("subject_type", P::kString, "user"),
          Optional("subject_id", P::kString)},
         CreateKey,
         kCacheDefault});
  t.Add({"admin_list_keys",
         {Optional("user_id", P::kString), Optional("tenant_id", P::kString),
          Optional("is_admin", P::kBool), Optional("include_revoked", P::kBool, false),
          Optional("include_expired", P::kBool, false), Optional("limit", P::kInt, 100),
          Optional("offset", P::kInt, 0)},
         ListKeys,
         kCacheDefault});
  t.Add({"admin_get_key", {key_id}, GetKey, kCacheDefault});
  t.Add({"admin_revoke_key", {key_id}, RevokeKey, kCacheDefault});
  t.Add({"admin_update_key",
         {key_id, Optional("expires_days", P::kInt), Optional("is_admin", P::kBool),
          Optional("name", P::kString)},
         UpdateKey,
         kCacheDefault});
}

}  // namespace nexus::rpc

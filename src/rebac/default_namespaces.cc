#include "rebac/default_namespaces.h"

#include <initializer_list>

namespace nexus::rebac {
namespace {

using Names = std::initializer_list<const char*>;

void AddDirect(NamespaceConfig& ns, Names names) {
  for (const char* name : names) ns.relations[name] = RelationDef{};
}

void AddUnion(NamespaceConfig& ns, const char* name, Names children) {
  RelationDef def;
  def.kind = RelationDef::Kind::kUnion;
  def.children.assign(children.begin(), children.end());
  ns.relations[name] = std::move(def);
}

void AddArrow(NamespaceConfig& ns, const char* name, const char* tupleset, const char* computed) {
  RelationDef def;
  def.kind = RelationDef::Kind::kTupleToUserset;
  def.tupleset = tupleset;
  def.computed_userset = computed;
  ns.relations[name] = std::move(def);
}

void AddPermission(NamespaceConfig& ns, const char* name, Names relations) {
  ns.permissions[name].assign(relations.begin(), relations.end());
}

// owner, editor and viewer are not nested into each other (§3.2): a direct owner is not an
// editor, but every permission that an editor has lists owner too. public_discoverable
// (make_public) and dynamic_viewer (CSV column views) are stored but grant nothing here, as
// in the reference.
NamespaceConfig FileNamespace() {
  NamespaceConfig ns;
  AddDirect(ns, {"parent", "direct_owner", "direct_editor", "direct_viewer", "shared-viewer",
                 "shared-editor", "shared-owner", "public_discoverable", "dynamic_viewer"});
  AddArrow(ns, "parent_owner", "parent", "owner");
  AddArrow(ns, "parent_editor", "parent", "editor");
  AddArrow(ns, "parent_viewer", "parent", "viewer");
  AddArrow(ns, "group_owner", "direct_owner", "member");
  AddArrow(ns, "group_editor", "direct_editor", "member");
  AddArrow(ns, "group_viewer", "direct_viewer", "member");
  AddUnion(ns, "owner", {"direct_owner", "parent_owner", "group_owner", "shared-owner"});
  AddUnion(ns, "editor",
           {"direct_editor", "parent_editor", "group_editor", "shared-editor", "shared-owner"});
  AddUnion(ns, "viewer",
           {"direct_viewer", "parent_viewer", "group_viewer", "shared-viewer", "shared-editor",
            "shared-owner"});
  AddPermission(ns, "read", {"editor", "viewer", "owner"});
  AddPermission(ns, "write", {"editor", "owner"});
  AddPermission(ns, "execute", {"owner"});
  return ns;
}

NamespaceConfig GroupNamespace() {
  NamespaceConfig ns;
  AddDirect(ns, {"member", "admin"});
  AddUnion(ns, "viewer", {"admin", "member"});
  AddPermission(ns, "read", {"viewer", "member", "admin"});
  AddPermission(ns, "write", {"admin"});
  AddPermission(ns, "manage", {"admin"});
  return ns;
}

// memory, playbook and trajectory: owner, editor, viewer stored directly.
NamespaceConfig OwnedNamespace(Names direct, const char* last_permission) {
  NamespaceConfig ns;
  AddDirect(ns, direct);
  const bool has_editor = ns.FindRelation("editor") != nullptr;
  if (has_editor) {
    AddPermission(ns, "read", {"viewer", "editor", "owner"});
    AddPermission(ns, "write", {"editor", "owner"});
  } else {
    AddPermission(ns, "read", {"viewer", "owner"});
    AddPermission(ns, "write", {"owner"});
  }
  AddPermission(ns, last_permission, {"owner"});
  return ns;
}

NamespaceConfig SkillNamespace() {
  NamespaceConfig ns;
  AddDirect(ns, {"owner", "editor", "viewer", "tenant", "public", "approver"});
  AddArrow(ns, "tenant_member", "tenant", "member");
  const Names readers = {"viewer", "editor", "owner", "tenant_member", "public"};
  AddPermission(ns, "read", readers);
  AddPermission(ns, "fork", readers);
  AddPermission(ns, "write", {"editor", "owner"});
  AddPermission(ns, "delete", {"owner"});
  AddPermission(ns, "publish", {"owner"});
  AddPermission(ns, "approve", {"approver"});
  return ns;
}

// An MCP server mounted for a tenant (services/mcp_mounts): viewers see its tools through the
// gateway, executors also call them.
NamespaceConfig McpServerNamespace() {
  NamespaceConfig ns;
  AddDirect(ns, {"viewer", "executor"});
  AddPermission(ns, "list", {"viewer", "executor"});
  AddPermission(ns, "call", {"executor"});
  return ns;
}

NamespaceConfig DirectOnly(Names direct) {
  NamespaceConfig ns;
  AddDirect(ns, direct);
  return ns;
}

NamespaceMap BuildDefaults() {
  NamespaceMap map;
  map["file"] = FileNamespace();
  map["group"] = GroupNamespace();
  map["memory"] = OwnedNamespace({"owner", "editor", "viewer"}, "execute");
  map["playbook"] = OwnedNamespace({"owner", "editor", "viewer"}, "delete");
  map["trajectory"] = OwnedNamespace({"owner", "viewer"}, "delete");
  map["skill"] = SkillNamespace();
  map["mcp_server"] = McpServerNamespace();
  map["tenant"] = DirectOnly({"member", "admin"});
  // consent_granted: (grantee) consent_granted (grantor), written by grant_consent.
  map["user"] = DirectOnly({"consent_granted"});
  map["agent"] = DirectOnly({"owner", "consent_granted"});
  map["service"] = DirectOnly({});  // API keys of subject type service
  return map;
}

}  // namespace

const NamespaceMap& DefaultNamespaces() {
  static const NamespaceMap* const kDefaults = new NamespaceMap(BuildDefaults());
  return *kDefaults;
}

const NamespaceConfig* FindDefaultNamespace(std::string_view object_type) {
  const NamespaceMap& defaults = DefaultNamespaces();
  auto it = defaults.find(object_type);
  return it == defaults.end() ? nullptr : &it->second;
}

}  // namespace nexus::rebac

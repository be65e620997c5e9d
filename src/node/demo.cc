#include "node/demo.h"

#include "services/skills/demo_skills.h"
#include "session/skill_access.h"

namespace nexus::node {
namespace {

constexpr char kTenant[] = "default";
constexpr char kAdmin[] = "admin";
constexpr char kHome[] = "/tenant:default/user:admin";
constexpr char kAgentMetadata[] =
    R"({"platform":"langgraph","endpoint_url":"http://localhost:2024","agent_id":"agent"})";
// The skill UntrustedAgent may read (the reference granted its skill-creator).
constexpr char kSharedSkill[] = "skill-authoring";

constexpr char kWorkspaceReadme[] = R"(# My workspace

This workspace was created by `nexus serve --demo`. It is registered, so you can snapshot
it (`workspace_snapshot`), compare snapshots (`workspace_diff`) and restore one
(`workspace_restore`). The skills in your personal tier (`skills_list`) explain the rest.
)";

// Treats "already there" as done, so that provisioning can run at every start.
Status IgnoreExisting(const Status& s) {
  return s.code() == Code::kAlreadyExists ? Status::OK() : s;
}

auth::Identity AdminIdentity() {
  auth::Identity admin;
  admin.subject_type = "user";
  admin.subject_id = kAdmin;
  admin.tenant_id = kTenant;
  admin.user_id = kAdmin;
  admin.is_admin = true;
  admin.is_system = true;
  return admin;
}

Status ProvisionWorkspace(const DemoServices& s, const auth::Identity& admin) {
  services::NewRegistration workspace;
  workspace.path = std::string(kHome) + "/workspace/my-workspace";
  workspace.name = "my workspace";
  workspace.description = "The demo workspace";
  RETURN_IF_ERROR(IgnoreExisting(
      s.workspaces.Register(services::DirKind::kWorkspace, admin, workspace).status()));
  const std::string readme = workspace.path + "/README.md";
  vfs::WriteOptions create_only;
  create_only.if_none_match = true;
  return IgnoreExisting(
      s.tree.Write(vfs::Actor{kAdmin}, readme, kWorkspaceReadme, create_only).status());
}

Status ProvisionSkills(const DemoServices& s, const auth::Identity& admin) {
  std::map<std::string, services::SkillFiles> by_skill;
  for (const services::EmbeddedFile& f : services::DemoSkillFiles()) {
    const size_t slash = f.path.find('/');
    by_skill[std::string(f.path.substr(0, slash))][std::string(f.path.substr(slash + 1))] =
        std::string(f.content);
  }
  session::PolicySkillAccess access(s.rebac, admin);
  const services::SkillCaller caller{admin, access};
  for (const auto& [name, files] : by_skill) {
    RETURN_IF_ERROR(IgnoreExisting(
        s.skills.Install(caller, services::SkillTier::kPersonal, name, files, false).status()));
  }
  return Status::OK();
}

StatusOr<std::string> ProvisionAgents(const DemoServices& s) {
  const services::AgentCaller admin{kTenant, kAdmin, true};
  const services::NewAgent twin{"admin,ImpersonatedUser",
                                "ImpersonatedUser",
                                "Digital twin agent: acts for admin with admin's permissions",
                                kAgentMetadata,
                                false,
                                true};
  RETURN_IF_ERROR(IgnoreExisting(s.agents.Register(admin, twin).status()));
  const services::NewAgent untrusted{"admin,UntrustedAgent",
                                     "UntrustedAgent",
                                     "An agent with its own key and only what it is granted",
                                     kAgentMetadata,
                                     true,
                                     false};
  std::string key;
  StatusOr<std::pair<services::AgentRecord, std::string>> created =
      s.agents.Register(admin, untrusted);
  if (created.ok()) key = created->second;
  RETURN_IF_ERROR(IgnoreExisting(created.status()));
  const rebac::TupleWrite grant{kTenant,
                                {"agent", untrusted.agent_id, ""},
                                "direct_viewer",
                                {"file", std::string(kHome) + "/skill/" + kSharedSkill},
                                {},
                                {},
                                "",
                                ""};
  RETURN_IF_ERROR(s.rebac.WriteTuple(grant).status());
  return key;
}

}  // namespace

StatusOr<DemoResult> ProvisionDemo(const DemoServices& services) {
  const auth::Identity admin = AdminIdentity();
  RETURN_IF_ERROR(ProvisionWorkspace(services, admin));
  RETURN_IF_ERROR(ProvisionSkills(services, admin));
  DemoResult result;
  ASSIGN_OR_RETURN(result.untrusted_agent_key, ProvisionAgents(services));
  return result;
}

}  // namespace nexus::node

#include "stress/worker.h"

#include <cstdio>

#include "util/hash.h"

namespace nexus::stress {
namespace {

constexpr int kPageAgents = 3;
constexpr char kStressSkill[] = "stress-skill";
constexpr int kAlreadyExists = -32001;

Status Failed(const CallOutcome& call) {
  return Internal(call.method + " failed: " +
                  (call.http_status == 0
                       ? call.transport_error
                       : std::to_string(call.http_status) + " " + std::to_string(call.rpc_code) +
                             " " + call.error_message));
}

// The ids of the agents list_agents shows, then new ones registered up to kPageAgents.
StatusOr<std::vector<std::string>> PageAgents(RpcClient& rpc, const std::string& user_id) {
  const CallOutcome listed = rpc.Call("list_agents");
  if (!listed.ok() || !listed.result.is_array()) return Failed(listed);
  std::vector<std::string> ids;
  for (const Json& agent : listed.result) {
    if (ids.size() < kPageAgents) ids.push_back(agent.value("agent_id", ""));
  }
  for (int i = 0; ids.size() < kPageAgents; ++i) {
    const std::string id = user_id + ",stress-agent-" + std::to_string(i);
    const CallOutcome made = rpc.Call(
        "register_agent", {{"agent_id", id}, {"name", "Stress agent " + std::to_string(i)}});
    if (!made.ok() && made.rpc_code != kAlreadyExists) return Failed(made);
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

// A skill the caller can read: the first listed, or one created for the run.
StatusOr<std::string> SomeSkill(RpcClient& rpc) {
  const CallOutcome listed = rpc.Call("skills_list");
  if (!listed.ok()) return Failed(listed);
  const Json& skills = listed.result.value("skills", Json::array());
  if (!skills.empty()) return skills.front().value("name", "");
  const CallOutcome made =
      rpc.Call("skills_create", {{"name", kStressSkill},
                                 {"description", "Created by nexus-stress for its skills mix"},
                                 {"tier", "user"}});
  if (!made.ok() && made.rpc_code != kAlreadyExists) return Failed(made);
  return std::string(kStressSkill);
}

}  // namespace

StatusOr<Fixtures> Prepare(const ClientConfig& config, const Mix& mix) {
  RpcClient rpc(config.address, config.api_key, config.timeout);
  ASSIGN_OR_RETURN(Json whoami, rpc.GetJson("/api/auth/whoami"));
  if (!whoami.value("authenticated", false) || !whoami["subject_id"].is_string() ||
      !whoami["tenant_id"].is_string()) {
    return PermissionDenied("the API key is not accepted: " + whoami.dump());
  }
  Fixtures f;
  f.user_id = whoami["subject_id"].get<std::string>();
  f.home = "/tenant:" + whoami["tenant_id"].get<std::string>() + "/user:" + f.user_id;
  if (mix.Of(Kind::kAgents).weight > 0) {
    ASSIGN_OR_RETURN(f.agent_ids, PageAgents(rpc, f.user_id));
  }
  if (mix.Of(Kind::kSkills).weight > 0) {
    ASSIGN_OR_RETURN(f.skill_name, SomeSkill(rpc));
  }
  return f;
}

Worker::Worker(const ClientConfig& config, const Fixtures& fixtures, int index, uint64_t seed,
               JournalWriter* journal)
    : config_(config),
      fixtures_(fixtures),
      index_(index),
      journal_(journal),
      rpc_(config.address, config.api_key, config.timeout),
      rng_(seed) {}

void Worker::Run(const MixEntry& entry) {
  entry_ = &entry;
  switch (entry.kind) {
    case Kind::kWaves:
      return Waves();
    case Kind::kAgents:
      return AgentsPage();
    case Kind::kWrites:
      return WriteAndVerify();
    case Kind::kRebac:
      return RebacChange();
    case Kind::kSkills:
      return Skills();
    case Kind::kSandboxes:
      return Sandbox();
  }
}

CallOutcome Worker::Call(const std::string& method, const Json& params) {
  CallOutcome outcome = rpc_.Call(method, params);
  stats_.Record(outcome, entry_->expected_codes);
  return outcome;
}

std::vector<CallOutcome> Worker::AtOnce(const std::vector<RpcCall>& calls) {
  std::vector<CallOutcome> outcomes = rpc_.CallAtOnce(calls);
  for (const CallOutcome& outcome : outcomes) stats_.Record(outcome, entry_->expected_codes);
  return outcomes;
}

std::string Worker::ClientDir() const {
  return fixtures_.home + "/" + config_.prefix + "/c" + std::to_string(index_);
}

std::string Worker::NewContent() {
  std::string content = "client " + std::to_string(index_) + " write " +
                        std::to_string(sequence_++) + " nonce " + std::to_string(rng_()) + "\n";
  const size_t extra = std::uniform_int_distribution<size_t>(0, 4096)(rng_);
  for (size_t i = 0; i < extra; ++i) content += static_cast<char>('a' + rng_() % 26);
  return content;
}

// The seed's page loads (crash-reproduction-guide.md), each wave fired at once; the sandbox
// wave belongs to the sandboxes kind.
void Worker::Waves() {
  const std::string& home = fixtures_.home;
  const std::string tenant = home.substr(0, home.find("/user:"));
  const auto list = [](const std::string& path) {
    return RpcCall{"list", {{"path", path}, {"recursive", false}, {"details", true}}};
  };
  AtOnce({{"list_mounts"}, list("/"), list(tenant + "/"), list(home + "/")});
  AtOnce({{"list_agents"}, {"rebac_list_tuples"}, {"list_workspaces"}});
  const std::vector<CallOutcome> skills =
      AtOnce({{"skills_list"}, {"skills_list"}, {"skills_list"}});
  std::vector<RpcCall> wave4;
  for (const char* dir : {"skill/", "agent/", "workspace/", "connector/", "memory/"}) {
    wave4.push_back(list(home + "/" + dir));
  }
  AtOnce(wave4);
  AtOnce({{"skills_list"}, {"skills_list"}});
  std::vector<RpcCall> reads;
  if (skills.front().ok()) {
    for (const Json& skill : skills.front().result.value("skills", Json::array())) {
      if (reads.size() < RpcClient::kMaxParallel) {
        reads.push_back({"read", {{"path", skill.value("file_path", "")}}});
      }
    }
  }
  if (!reads.empty()) AtOnce(reads);
}

// The frontend's Agents page (api.md §8): list_agents, then per agent at once its tuples,
// the skills, the mounts and the workspaces.
void Worker::AgentsPage() {
  Call("list_agents");
  std::vector<RpcCall> page;
  for (const std::string& id : fixtures_.agent_ids) {
    page.push_back({"rebac_list_tuples", {{"subject", Json::array({"agent", id})}}});
    page.push_back({"skills_list"});
    page.push_back({"list_mounts"});
    page.push_back({"list_workspaces"});
  }
  AtOnce(page);
}

// Writes one of this client's files, journals the acknowledged version, then reads it back:
// no one else writes these paths, so the read must show exactly what was written.
void Worker::WriteAndVerify() {
  const std::string path =
      ClientDir() + "/f" +
      std::to_string(std::uniform_int_distribution<int>(0, kFilesPerClient - 1)(rng_)) + ".txt";
  const std::string content = NewContent();
  const CallOutcome wrote = Call("write", {{"path", path}, {"content", BytesJson(content)}});
  if (!wrote.ok()) return;
  const Json meta = wrote.result.value("bytes_written", Json::object());
  if (!meta.contains("version") || !meta["version"].is_number_integer() || !meta.contains("etag") ||
      !meta["etag"].is_string()) {
    stats_.RecordFailure("write result", path + ": " + wrote.result.dump().substr(0, 200));
    return;
  }
  const JournalEntry entry{path, meta["version"].get<int64_t>(), meta["etag"].get<std::string>(),
                           Sha256Hex(content)};
  if (journal_ != nullptr) {
    if (Status s = journal_->Append(entry); !s.ok()) stats_.RecordFailure("journal", s.message());
  }
  const CallOutcome read = Call("read", {{"path", path}, {"return_metadata", true}});
  if (!read.ok()) return;
  StatusOr<std::string> got = BytesOf(read.result.value("content", Json()));
  if (!got.ok() || *got != content || read.result.value("version", int64_t{0}) != entry.version ||
      read.result.value("etag", "") != entry.etag) {
    stats_.RecordFailure("read-back differs",
                         path + " v" + std::to_string(entry.version) + " read back v" +
                             std::to_string(read.result.value("version", int64_t{0})));
  }
}

// A grant, its effect, and its revocation on this client's folder.
void Worker::RebacChange() {
  if (!dir_made_) {
    dir_made_ = Call("mkdir", {{"path", ClientDir()}, {"parents", true}, {"exist_ok", true}}).ok();
    if (!dir_made_) return;
  }
  const Json subject = Json::array({"user", "stress-reader-" + std::to_string(index_)});
  const Json object = Json::array({"file", ClientDir()});
  const CallOutcome made = Call(
      "rebac_create", {{"subject", subject}, {"relation", "direct_viewer"}, {"object", object}});
  if (!made.ok()) return;
  const Json check = {{"subject", subject}, {"permission", "read"}, {"object", object}};
  const CallOutcome granted = Call("rebac_check", check);
  if (granted.ok() && granted.result != true) {
    stats_.RecordFailure("grant not visible", ClientDir());
  }
  Call("rebac_list_tuples", {{"object", object}});
  const CallOutcome deleted = Call("rebac_delete", {{"tuple_id", made.result}});
  if (!deleted.ok()) return;  // the grant stands; the next check would rightly allow
  if (deleted.result != true) {
    stats_.RecordFailure("rebac_delete", "tuple " + made.result.dump() + " not deleted");
    return;
  }
  const CallOutcome revoked = Call("rebac_check", check);
  if (revoked.ok() && revoked.result != false) {
    stats_.RecordFailure("revocation not visible", ClientDir());
  }
}

void Worker::Skills() {
  const CallOutcome listed = Call("skills_list");
  Call("skills_info", {{"skill_name", fixtures_.skill_name}});
  if (!listed.ok()) return;
  for (const Json& skill : listed.result.value("skills", Json::array())) {
    if (skill.value("name", "") == fixtures_.skill_name) {
      Call("read", {{"path", skill.value("file_path", "")}});
    }
  }
}

// The seed's sixth wave: a sandbox per (user, client), then the listing.
void Worker::Sandbox() {
  Call("sandbox_get_or_create",
       {{"name", fixtures_.user_id + ",stress-" + std::to_string(index_)}});
  Call("sandbox_list");
}

}  // namespace nexus::stress

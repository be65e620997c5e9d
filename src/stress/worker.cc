#include "stress/worker.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

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
  for (const Value& agent : listed.result.AsArray()) {
    if (ids.size() < kPageAgents) ids.push_back(agent["agent_id"].AsString());
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
  const Value::Array& skills = listed.result["skills"].AsArray();
  if (!skills.empty()) return skills.front()["name"].AsString();
  const CallOutcome made =
      rpc.Call("skills_create", {{"name", kStressSkill},
                                 {"description", "Created by nexus-stress for its skills mix"},
                                 {"tier", "user"}});
  if (!made.ok() && made.rpc_code != kAlreadyExists) return Failed(made);
  return std::string(kStressSkill);
}

}  // namespace

StatusOr<Fixtures> Prepare(const ClientConfig& config, const Mix& mix) {
  RpcClient rpc(config);
  ASSIGN_OR_RETURN(Value whoami, rpc.GetJson("/api/auth/whoami"));
  if (!whoami["authenticated"].AsBool() || !whoami["subject_id"].is_string() ||
      !whoami["tenant_id"].is_string()) {
    return PermissionDenied("the API key is not accepted: " + ToJson(whoami));
  }
  Fixtures f;
  f.user_id = whoami["subject_id"].AsString();
  f.home = "/tenant:" + whoami["tenant_id"].AsString() + "/user:" + f.user_id;
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
      rpc_(config),
      rng_(seed),
      stats_(config.failover) {}

void Worker::Run(const MixEntry& entry) {
  const int64_t interrupted = stats_.interrupted();
  RunScenario(entry);
  // Interrupted: the node or the database is recovering; asking again at once only adds load.
  if (stats_.interrupted() != interrupted) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void Worker::RunScenario(const MixEntry& entry) {
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

CallOutcome Worker::Call(const std::string& method, Value params) {
  CallOutcome outcome = rpc_.Call(method, std::move(params));
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
    for (const Value& skill : skills.front().result["skills"].AsArray()) {
      if (reads.size() < RpcClient::kMaxParallel) {
        reads.push_back({"read", {{"path", skill["file_path"].AsString()}}});
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
    page.push_back({"rebac_list_tuples", {{"subject", Value::Array{"agent", id}}}});
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
  const CallOutcome wrote = Call("write", {{"path", path}, {"content", Value::Bytes(content)}});
  if (!wrote.ok()) return;
  const Value& meta = wrote.result["bytes_written"];
  if (meta["version"].kind() != Value::Kind::kInt || !meta["etag"].is_string()) {
    stats_.RecordFailure("write result", path + ": " + ToJson(wrote.result).substr(0, 200));
    return;
  }
  const JournalEntry entry{path, meta["version"].AsInt(), meta["etag"].AsString(),
                           Sha256Hex(content)};
  if (journal_ != nullptr) {
    if (Status s = journal_->Append(entry); !s.ok()) stats_.RecordFailure("journal", s.message());
  }
  const CallOutcome read = Call("read", {{"path", path}, {"return_metadata", true}});
  if (!read.ok()) return;
  const Value& got = read.result["content"];
  if (!got.is_bytes() || got.AsString() != content ||
      read.result["version"].AsInt() != entry.version ||
      read.result["etag"].AsString() != entry.etag) {
    stats_.RecordFailure("read-back differs", path + " v" + std::to_string(entry.version) +
                                                  " read back v" +
                                                  std::to_string(read.result["version"].AsInt()));
  }
}

// A grant, its effect, and its revocation on this client's folder.
void Worker::RebacChange() {
  if (!dir_made_) {
    dir_made_ = Call("mkdir", {{"path", ClientDir()}, {"parents", true}, {"exist_ok", true}}).ok();
    if (!dir_made_) return;
  }
  const Value subject = Value::Array{"user", "stress-reader-" + std::to_string(index_)};
  const Value object = Value::Array{"file", ClientDir()};
  const CallOutcome made = Call(
      "rebac_create", {{"subject", subject}, {"relation", "direct_viewer"}, {"object", object}});
  if (!made.ok()) return;
  const Value check = {{"subject", subject}, {"permission", "read"}, {"object", object}};
  const CallOutcome granted = Call("rebac_check", check);
  if (granted.ok() && granted.result != Value(true)) {
    stats_.RecordFailure("grant not visible", ClientDir());
  }
  Call("rebac_list_tuples", {{"object", object}});
  const CallOutcome deleted = Call("rebac_delete", {{"tuple_id", made.result}});
  if (!deleted.ok()) return;  // the grant stands; the next check would rightly allow
  if (deleted.result != Value(true)) {
    stats_.RecordFailure("rebac_delete", "tuple " + ToJson(made.result) + " not deleted");
    return;
  }
  const CallOutcome revoked = Call("rebac_check", check);
  if (revoked.ok() && revoked.result != Value(false)) {
    stats_.RecordFailure("revocation not visible", ClientDir());
  }
}

void Worker::Skills() {
  const CallOutcome listed = Call("skills_list");
  Call("skills_info", {{"skill_name", fixtures_.skill_name}});
  if (!listed.ok()) return;
  for (const Value& skill : listed.result["skills"].AsArray()) {
    if (skill["name"].AsString() == fixtures_.skill_name) {
      Call("read", {{"path", skill["file_path"].AsString()}});
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

#include "services/sandboxes/sandboxes.h"

#include <algorithm>
#include <cstdlib>

#include "storage/rows.h"
#include "util/background.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/ids.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace nexus::services {

using storage::Row;
using storage::Rows;
using storage::Tx;

namespace {

constexpr int64_t kMicrosPerMinute = int64_t{60} * 1000 * 1000;
constexpr const char* kColumns =
    "sandbox_id, name, tenant_id, user_id, agent_id, provider, requested_provider, template_id, "
    "status,"
    " created_at, last_active_at, paused_at, stopped_at, ttl_minutes, expires_at, node_id";
// Where a connected sandbox finds Nexus.
constexpr const char* kSocketInSandbox = "/run/nexus/nexus.sock";

SandboxRecord RecordFromRow(const Row& r) {
  SandboxRecord s;
  s.sandbox_id = r.Text(0);
  s.name = r.Text(1);
  s.tenant_id = r.Text(2);
  s.user_id = r.Text(3);
  s.agent_id = r.Text(4);
  s.provider = r.Text(5);
  s.requested_provider = r.Text(6);
  s.template_id = r.Text(7);
  s.status = r.Text(8);
  s.created_at = r.Int(9);
  s.last_active_at = r.Int(10);
  s.paused_at = r.OptInt(11);
  s.stopped_at = r.OptInt(12);
  s.ttl_minutes = r.Int(13);
  s.expires_at = r.OptInt(14);
  s.node_id = r.OptText(15).value_or("");
  return s;
}

// The caller's own sandbox `id` (admins: any of their tenant's), or kNotFound.
StatusOr<SandboxRecord> LoadOwned(Tx& tx, const SandboxCaller& caller, const std::string& id) {
  ASSIGN_OR_RETURN(
      std::optional<SandboxRecord> record,
      storage::QueryFirst(
          tx, std::string("SELECT ") + kColumns + " FROM sandboxes WHERE sandbox_id = ?", {id},
          RecordFromRow));
  const bool mine = record && record->tenant_id == caller.tenant_id &&
                    (record->user_id == caller.user_id || caller.is_admin);
  if (!mine) return NotFound("Sandbox not found: " + id);
  return std::move(*record);
}

Status CheckName(const std::string& name) {
  if (name.empty() || name.size() > 255)
    return InvalidArgument("sandbox name must be 1 to 255 bytes");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return InvalidArgument("sandbox name contains a control character");
  }
  return Status::OK();
}

}  // namespace

SandboxService::SandboxService(storage::Engine& engine, sandbox::Provider& provider,
                               SandboxServiceOptions options)
    : engine_(engine), provider_(provider), options_(std::move(options)) {}

SandboxService::~SandboxService() {
  {
    MutexLock l(&mu_);
    stopping_ = true;
  }
  expiry_cv_.SignalAll();
  if (expiry_thread_.joinable()) expiry_thread_.join();
}

Status SandboxService::RecoverAfterRestart() {
  const int64_t now = NowMicros();
  return engine_.Write([&](Tx& tx) {
    return tx
        .Exec(
            "UPDATE sandboxes SET status = 'stopped', stopped_at = ?, expires_at = NULL"
            " WHERE status <> 'stopped' AND (node_id IS NULL OR node_id = ?)",
            {now, node_id()})
        .status();
  });
}

const std::string& SandboxService::node_id() const {
  static const std::string kAlone;
  return options_.cluster != nullptr ? options_.cluster->node_id() : kAlone;
}

StatusOr<bool> SandboxService::IsHere(const SandboxRecord& record) {
  if (options_.cluster == nullptr || record.node_id.empty() || record.node_id == node_id()) {
    return true;
  }
  RETURN_IF_ERROR(options_.cluster->MayTakeOver(record.node_id, "sandbox " + record.sandbox_id));
  if (record.status != "stopped") RETURN_IF_ERROR(MarkStopped(record.sandbox_id));
  return false;
}

StatusOr<SandboxRecord> SandboxService::Load(const SandboxCaller& caller, const std::string& id) {
  SandboxRecord record;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(record, LoadOwned(tx, caller, id));
    return Status::OK();
  }));
  return record;
}

StatusOr<SandboxRecord> SandboxService::LoadHere(const SandboxCaller& caller,
                                                 const std::string& id) {
  ASSIGN_OR_RETURN(SandboxRecord record, Load(caller, id));
  ASSIGN_OR_RETURN(const bool here, IsHere(record));
  if (!here) {
    return Status(Code::kValidation, "sandbox " + id + " ran on node " + record.node_id +
                                         ", which is gone: it is stopped; create a new one");
  }
  return record;
}

Status SandboxService::MarkStopped(const std::string& id) {
  const int64_t now = NowMicros();
  return engine_.Write([&](Tx& tx) {
    return tx
        .Exec(
            "UPDATE sandboxes SET status = 'stopped', stopped_at = ?, expires_at = NULL"
            " WHERE sandbox_id = ? AND status <> 'stopped'",
            {now, id})
        .status();
  });
}

StatusOr<std::string> SandboxService::ResolveProvider(const std::string& requested) const {
  if (requested.empty() || requested == "bubblewrap") return std::string("bubblewrap");
  if (requested == "docker") {
    // Without a Docker engine the request is served by bubblewrap, and the record says so.
    return std::string("bubblewrap");
  }
  if (requested == "e2b") {
    if (std::getenv("E2B_API_KEY") == nullptr) {
      return InvalidArgument("the e2b provider needs E2B_API_KEY, which this server does not have");
    }
    return InvalidArgument(
        "the e2b service is not reachable from this server; use provider 'bubblewrap'");
  }
  return InvalidArgument("unknown sandbox provider '" + requested +
                         "' (use bubblewrap, docker or e2b)");
}

sandbox::SandboxSpec SandboxService::SpecFor(const SandboxRecord& record) const {
  sandbox::SandboxSpec spec;
  spec.id = record.sandbox_id;
  spec.home_dir = options_.data_dir + "/sandboxes/" + record.sandbox_id + "/home";
  spec.limits = options_.limits;
  if (record.connected && !options_.nexus_socket.empty())
    spec.binds.emplace_back(options_.nexus_socket, kSocketInSandbox);
  return spec;
}

SandboxRecord SandboxService::WithConnection(SandboxRecord record) const {
  MutexLock l(&mu_);
  record.connected = api_keys_.contains(record.sandbox_id);
  return record;
}

StatusOr<SandboxRecord> SandboxService::Insert(const SandboxCaller& caller, const std::string& name,
                                               int64_t ttl_minutes, const std::string& provider,
                                               const std::string& requested,
                                               const std::string& template_id, bool reuse_live) {
  const int64_t now = NowMicros();
  SandboxRecord record{NewUuid4(),
                       name,
                       caller.tenant_id,
                       caller.user_id,
                       caller.agent_id,
                       provider,
                       requested == provider ? "" : requested,
                       template_id,
                       "active",
                       now,
                       now,
                       std::nullopt,
                       std::nullopt,
                       now + ttl_minutes * kMicrosPerMinute,
                       ttl_minutes,
                       false,
                       node_id()};
  bool reused = false;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    reused = false;
    ASSIGN_OR_RETURN(Rows live,
                     tx.Query(std::string("SELECT ") + kColumns +
                                  " FROM sandboxes WHERE tenant_id = ? AND user_id = ? AND name = ?"
                                  " AND status <> 'stopped'",
                              {caller.tenant_id, caller.user_id, name}));
    if (!live.empty()) {
      if (!reuse_live) return InvalidArgument("Sandbox '" + name + "' already exists");
      record = RecordFromRow(live[0]);
      reused = true;
      return Status::OK();
    }
    return tx
        .Exec(std::string("INSERT INTO sandboxes (") + kColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {record.sandbox_id, record.name, record.tenant_id, record.user_id, record.agent_id,
               record.provider, record.requested_provider, record.template_id, record.status,
               record.created_at, record.last_active_at, storage::Null(), storage::Null(),
               record.ttl_minutes, storage::OptionalValue(record.expires_at),
               record.node_id.empty() ? storage::Null() : storage::Value(record.node_id)})
        .status();
  }));
  if (!reused) {
    const sandbox::SandboxSpec spec = SpecFor(record);
    RETURN_IF_ERROR(CreateDirectories(spec.home_dir));
    RETURN_IF_ERROR(provider_.Create(spec));
  }
  return WithConnection(record);
}

StatusOr<SandboxRecord> SandboxService::Create(const SandboxCaller& caller, const std::string& name,
                                               int64_t ttl_minutes, const std::string& provider,
                                               const std::string& template_id) {
  RETURN_IF_ERROR(CheckName(name));
  if (ttl_minutes < 1 || ttl_minutes > options_.max_ttl_minutes) {
    return InvalidArgument("ttl_minutes must be 1 to " + std::to_string(options_.max_ttl_minutes));
  }
  ASSIGN_OR_RETURN(const std::string resolved, ResolveProvider(provider));
  return Insert(caller, name, ttl_minutes, resolved, provider.empty() ? resolved : provider,
                template_id, false);
}

StatusOr<SandboxRecord> SandboxService::GetOrCreate(const SandboxCaller& caller,
                                                    const std::string& name, int64_t ttl_minutes,
                                                    const std::string& provider,
                                                    const std::string& template_id, bool verify) {
  RETURN_IF_ERROR(CheckName(name));
  if (ttl_minutes < 1 || ttl_minutes > options_.max_ttl_minutes) {
    return InvalidArgument("ttl_minutes must be 1 to " + std::to_string(options_.max_ttl_minutes));
  }
  ASSIGN_OR_RETURN(const std::string resolved, ResolveProvider(provider));
  if (verify) RETURN_IF_ERROR(provider_.Available());
  // A live sandbox of that name on a dead node is marked stopped by IsHere; the second
  // round then makes a new one here.
  for (int round = 0;; ++round) {
    ASSIGN_OR_RETURN(SandboxRecord record,
                     Insert(caller, name, ttl_minutes, resolved,
                            provider.empty() ? resolved : provider, template_id, true));
    ASSIGN_OR_RETURN(const bool here, IsHere(record));
    if (here || round == 1) return record;
  }
}

StatusOr<sandbox::RunResult> SandboxService::Run(const SandboxCaller& caller, const std::string& id,
                                                 const std::string& language,
                                                 const std::string& code, int64_t timeout_seconds) {
  if (language != "python" && language != "javascript" && language != "js" && language != "bash") {
    return InvalidArgument("unsupported language '" + language +
                           "' (python, javascript, js or bash)");
  }
  if (static_cast<int64_t>(code.size()) > options_.max_code_bytes) {
    return InvalidArgument("code is larger than " + std::to_string(options_.max_code_bytes) +
                           " bytes");
  }
  if (timeout_seconds <= 0 || timeout_seconds > options_.max_timeout_seconds) {
    return InvalidArgument("timeout must be 1 to " + std::to_string(options_.max_timeout_seconds) +
                           " seconds");
  }
  RETURN_IF_ERROR(LoadHere(caller, id).status());
  const int64_t now = NowMicros();
  SandboxRecord record;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(record, LoadOwned(tx, caller, id));
    if (record.status != "active")
      return Status(Code::kValidation, "sandbox " + id + " is " + record.status);
    record.last_active_at = now;
    record.expires_at = now + record.ttl_minutes * kMicrosPerMinute;
    return tx
        .Exec("UPDATE sandboxes SET last_active_at = ?, expires_at = ? WHERE sandbox_id = ?",
              {now, *record.expires_at, id})
        .status();
  }));
  record = WithConnection(record);
  sandbox::RunRequest request{language, code, timeout_seconds * 1000, {}};
  if (record.connected) {
    MutexLock l(&mu_);
    request.env = {{"NEXUS_URL", std::string("unix://") + kSocketInSandbox},
                   {"NEXUS_SOCKET", kSocketInSandbox},
                   {"NEXUS_API_KEY", api_keys_[id]}};
  }
  return provider_.Run(SpecFor(record), request);
}

StatusOr<SandboxRecord> SandboxService::SetStatus(const SandboxCaller& caller,
                                                  const std::string& id,
                                                  const std::string& status) {
  const int64_t now = NowMicros();
  SandboxRecord record;
  RETURN_IF_ERROR(engine_.Write([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(record, LoadOwned(tx, caller, id));
    if (record.status == "stopped" && status != "stopped") {
      return Status(Code::kValidation, "sandbox " + id + " is stopped");
    }
    record.status = status;
    if (status == "paused") record.paused_at = now;
    if (status == "active") record.paused_at.reset();
    if (status == "stopped" && !record.stopped_at) {
      record.stopped_at = now;
      record.expires_at.reset();
    }
    return tx
        .Exec(
            "UPDATE sandboxes SET status = ?, paused_at = ?, stopped_at = ?, expires_at = ? WHERE "
            "sandbox_id = ?",
            {status, storage::OptionalValue(record.paused_at),
             storage::OptionalValue(record.stopped_at), storage::OptionalValue(record.expires_at),
             id})
        .status();
  }));
  return WithConnection(record);
}

StatusOr<SandboxRecord> SandboxService::Pause(const SandboxCaller& caller, const std::string& id) {
  RETURN_IF_ERROR(LoadHere(caller, id).status());
  ASSIGN_OR_RETURN(SandboxRecord record, SetStatus(caller, id, "paused"));
  RETURN_IF_ERROR(provider_.Pause(id));
  return record;
}

StatusOr<SandboxRecord> SandboxService::Resume(const SandboxCaller& caller, const std::string& id) {
  RETURN_IF_ERROR(LoadHere(caller, id).status());
  ASSIGN_OR_RETURN(SandboxRecord record, SetStatus(caller, id, "active"));
  RETURN_IF_ERROR(provider_.Resume(id));
  return record;
}

StatusOr<SandboxRecord> SandboxService::Stop(const SandboxCaller& caller, const std::string& id) {
  // A dead node's sandbox is marked stopped by IsHere: nothing runs it to stop.
  ASSIGN_OR_RETURN(const SandboxRecord found, Load(caller, id));
  ASSIGN_OR_RETURN(const bool here, IsHere(found));
  if (!here) return Load(caller, id);
  ASSIGN_OR_RETURN(SandboxRecord record, SetStatus(caller, id, "stopped"));
  RETURN_IF_ERROR(provider_.Stop(id));
  MutexLock l(&mu_);
  api_keys_.erase(id);
  record.connected = false;
  return record;
}

StatusOr<SandboxRecord> SandboxService::Get(const SandboxCaller& caller, const std::string& id) {
  ASSIGN_OR_RETURN(SandboxRecord record, Load(caller, id));
  // Whether it is connected only its node knows.
  ASSIGN_OR_RETURN(const bool here, IsHere(record));
  if (!here) return Load(caller, id);
  return WithConnection(record);
}

StatusOr<std::vector<SandboxRecord>> SandboxService::List(const SandboxCaller& caller,
                                                          const SandboxListFilter& filter) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM sandboxes WHERE tenant_id = ?";
  storage::Params params = {caller.tenant_id};
  // Admins may look at any user of their tenant; everyone else sees their own.
  const std::string user = caller.is_admin ? filter.user_id.value_or("") : caller.user_id;
  if (!user.empty()) {
    sql += " AND user_id = ?";
    params.push_back(user);
  }
  if (filter.agent_id) {
    sql += " AND agent_id = ?";
    params.push_back(*filter.agent_id);
  }
  if (filter.status) {
    sql += " AND status = ?";
    params.push_back(*filter.status);
  }
  sql += " ORDER BY created_at DESC";
  std::vector<SandboxRecord> out;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
    for (const Row& r : rows) out.push_back(RecordFromRow(r));
    return Status::OK();
  }));
  for (SandboxRecord& r : out) r = WithConnection(std::move(r));
  return out;
}

StatusOr<SandboxRecord> SandboxService::Connect(const SandboxCaller& caller, const std::string& id,
                                                const std::string& api_key) {
  if (api_key.empty())
    return InvalidArgument("Nexus API key required for connecting a sandbox (nexus_api_key)");
  if (options_.nexus_socket.empty())
    return Status(Code::kValidation, "this server has no socket for sandboxes");
  ASSIGN_OR_RETURN(SandboxRecord record, LoadHere(caller, id));
  if (record.status == "stopped") return Status(Code::kValidation, "sandbox " + id + " is stopped");
  MutexLock l(&mu_);
  api_keys_[id] = api_key;
  record.connected = true;
  return record;
}

StatusOr<SandboxRecord> SandboxService::Disconnect(const SandboxCaller& caller,
                                                   const std::string& id) {
  ASSIGN_OR_RETURN(SandboxRecord record, Get(caller, id));
  MutexLock l(&mu_);
  api_keys_.erase(id);
  record.connected = false;
  return record;
}

StatusOr<int64_t> SandboxService::StopDeadNodesSandboxes() {
  if (options_.cluster == nullptr || !options_.cluster->shared()) return 0;
  ASSIGN_OR_RETURN(const std::vector<cluster::NodeInfo> nodes, options_.cluster->Nodes());
  std::vector<std::string> orphans;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT sandbox_id, node_id FROM sandboxes WHERE status "
                                         "<> 'stopped' AND node_id IS NOT NULL AND node_id <> ?",
                                         {node_id()}));
    for (const Row& r : rows) {
      const std::string owner = r.Text(1);
      const bool kept = std::any_of(nodes.begin(), nodes.end(), [&](const cluster::NodeInfo& n) {
        return n.node_id == owner && !n.gone;
      });
      if (!kept) orphans.push_back(r.Text(0));
    }
    return Status::OK();
  }));
  for (const std::string& id : orphans) RETURN_IF_ERROR(MarkStopped(id));
  return static_cast<int64_t>(orphans.size());
}

StatusOr<int64_t> SandboxService::ExpireDue() {
  const int64_t now = NowMicros();
  ASSIGN_OR_RETURN(const int64_t orphans, StopDeadNodesSandboxes());
  std::vector<std::string> due;
  RETURN_IF_ERROR(engine_.Read([&](Tx& tx) -> Status {
    ASSIGN_OR_RETURN(Rows rows,
                     tx.Query("SELECT sandbox_id FROM sandboxes WHERE status <> 'stopped'"
                              " AND expires_at IS NOT NULL AND expires_at <= ?"
                              " AND (node_id IS NULL OR node_id = ?)",
                              {now, node_id()}));
    for (const Row& r : rows) due.push_back(r.Text(0));
    return Status::OK();
  }));
  for (const std::string& id : due) {
    RETURN_IF_ERROR(MarkStopped(id));
    (void)provider_.Stop(id);
    MutexLock l(&mu_);
    api_keys_.erase(id);
  }
  return orphans + static_cast<int64_t>(due.size());
}

void SandboxService::StartExpiry(std::chrono::milliseconds period) {
  expiry_thread_ = std::thread([this, period] {
    while (!ExpiryStoppedWithin(period)) {
      // A failed pass (the database away) is the next pass's work.
      RunGuarded("sandbox_expiry", [this] { (void)ExpireDue(); });
    }
  });
}

bool SandboxService::ExpiryStoppedWithin(std::chrono::milliseconds period) {
  MutexLock l(&mu_);
  return expiry_cv_.WaitFor(&mu_, period, [this]() REQUIRES(mu_) { return stopping_; });
}

}  // namespace nexus::services

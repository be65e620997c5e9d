// One nexus-stress client: a keep-alive RpcClient, a random source, and the scenarios of
// the mix. Every call is recorded in the worker's Stats; every acknowledged write goes to
// the journal before anything else happens.
#ifndef NEXUS_STRESS_WORKER_H_
#define NEXUS_STRESS_WORKER_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "stress/journal.h"
#include "stress/mix.h"
#include "stress/rpc_client.h"
#include "stress/stats.h"

namespace nexus::stress {

// What the scenarios need from the server, found or created once before the clients start.
struct Fixtures {
  std::string user_id;
  std::string home;                    // "/tenant:<t>/user:<u>"
  std::vector<std::string> agent_ids;  // the Agents page's agents
  std::string skill_name;              // a skill the caller can read
};

// Reads whoami; when the mix needs them and they are absent, registers agents and creates
// a skill (a plain server has neither; the demo server has both).
StatusOr<Fixtures> Prepare(const ClientConfig& config, const Mix& mix);

class Worker {
 public:
  // `journal` may be null. `index` keeps this client's files apart from the others'.
  Worker(const ClientConfig& config, const Fixtures& fixtures, int index, uint64_t seed,
         JournalWriter* journal);

  // Runs one scenario of `entry`'s kind.
  void Run(const MixEntry& entry);
  const Stats& stats() const { return stats_; }

  static constexpr int kFilesPerClient = 8;

 private:
  void RunScenario(const MixEntry& entry);
  void Waves();
  void AgentsPage();
  void WriteAndVerify();
  void RebacChange();
  void Skills();
  void Sandbox();

  CallOutcome Call(const std::string& method, Value params = Value::EmptyObject());
  std::vector<CallOutcome> AtOnce(const std::vector<RpcCall>& calls);
  std::string ClientDir() const;
  std::string NewContent();

  const ClientConfig& config_;
  const Fixtures& fixtures_;
  const int index_;
  JournalWriter* const journal_;
  RpcClient rpc_;
  std::mt19937_64 rng_;
  Stats stats_;
  const MixEntry* entry_ = nullptr;  // the scenario running, for its expected codes
  int64_t sequence_ = 0;
  bool dir_made_ = false;
};

}  // namespace nexus::stress

#endif  // NEXUS_STRESS_WORKER_H_

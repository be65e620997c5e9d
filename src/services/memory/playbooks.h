// Playbooks of the learning loop (domain.md §1.2.6): named lists of strategies a user's
// agents follow, each strategy marked helpful, harmful or neutral and counted each time the
// same lesson is learned again. A playbook belongs to the caller's user (names are unique
// per user); scope tenant or global shares it read-only with the tenant.
#ifndef NEXUS_SERVICES_MEMORY_PLAYBOOKS_H_
#define NEXUS_SERVICES_MEMORY_PLAYBOOKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/identity.h"
#include "services/memory/memories.h"
#include "services/memory/trajectories.h"
#include "storage/engine.h"

namespace nexus::services {

struct PlaybookStrategy {
  int64_t seq = 0;       // 1, 2, ... in the order learned
  std::string category;  // helpful|harmful|neutral
  std::string content;
  std::string source_id;  // the memory or trajectory it was learned from
  int64_t evidence_count = 1;
  int64_t created_at = 0;
};

struct Playbook {
  std::string playbook_id;
  std::string tenant_id;
  std::string user_id;
  std::string agent_id;
  std::string name;
  std::string description;
  int64_t version = 1;  // +1 on every curation that changed it
  std::string scope;
  std::string visibility;
  int64_t usage_count = 0;
  double success_rate = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::vector<PlaybookStrategy> strategies;
};

struct PlaybookFilter {
  std::optional<std::string> scope;
  std::optional<std::string> agent_id;
  int64_t limit = 50;
};

// What curate_playbook learns from: memories (typically reflections; an anti_pattern gives a
// harmful strategy, any other type a helpful one) and completed trajectories (success gives
// helpful, failure harmful, partial neutral), in that order.
struct Curation {
  std::string playbook_name = "default";
  std::vector<std::string> memory_ids;
  std::vector<std::string> trajectory_ids;
};

struct CurationResult {
  std::string playbook_id;
  int64_t added = 0;
  int64_t merged = 0;                // lessons already in the playbook: evidence_count + 1
  std::vector<std::string> skipped;  // ids not visible to the caller, or not completed
};

class Playbooks {
 public:
  Playbooks(storage::Engine& engine, MemoryStore& memories, TrajectoryLog& trajectories)
      : engine_(engine), memories_(memories), trajectories_(trajectories) {}

  // kAlreadyExists when the caller's user has a playbook of that name.
  StatusOr<std::string> Create(const auth::Identity& caller, const std::string& name,
                               const std::string& description, const std::string& scope);
  // None when there is no such playbook the caller may read.
  StatusOr<std::optional<Playbook>> Get(const auth::Identity& caller,
                                        const std::string& playbook_id);
  // The caller's user's playbook of that name.
  StatusOr<std::optional<Playbook>> GetByName(const auth::Identity& caller,
                                              const std::string& name);
  // Readable playbooks, most recently updated first, without their strategies.
  StatusOr<std::vector<Playbook>> Query(const auth::Identity& caller, const PlaybookFilter& filter);
  // Adds the lessons to the caller's playbook of that name, creating it (scope agent) when
  // missing. Deterministic: no model is asked, equal lessons merge.
  StatusOr<CurationResult> Curate(const auth::Identity& caller, const Curation& curation);

 private:
  StatusOr<std::optional<Playbook>> Find(const auth::Identity& caller, const std::string& where,
                                         const storage::Params& params);

  storage::Engine& engine_;
  MemoryStore& memories_;
  TrajectoryLog& trajectories_;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MEMORY_PLAYBOOKS_H_

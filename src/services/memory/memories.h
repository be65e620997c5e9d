// Memory records (domain.md §1.2.5, §5.4): short texts an agent keeps about facts,
// preferences and lessons, owned by a user of a tenant. A record with a path_key is
// addressed by (namespace, path_key) within its tenant, and storing that key again updates
// it. The content lives in the row, not in the blob store: records are small (1 MiB at most),
// they are read and searched whole, and one row keeps a store or delete a single write.
#ifndef NEXUS_SERVICES_MEMORY_MEMORIES_H_
#define NEXUS_SERVICES_MEMORY_MEMORIES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/identity.h"
#include "storage/engine.h"

namespace nexus::services {

inline constexpr size_t kMaxMemoryContentBytes = 1 << 20;

struct Memory {
  std::string memory_id;
  std::string content;
  std::string content_hash;  // SHA-256 of the content
  std::string tenant_id;
  std::string user_id;
  std::string agent_id;    // "" when stored by a user
  std::string scope;       // agent|user|tenant|global|session
  std::string visibility;  // private, or shared for scope tenant and global
  std::string memory_type;
  double importance = 0.5;
  std::string state;  // active|inactive
  std::optional<std::string> name_space;
  std::optional<std::string> path_key;
  std::string tags_json;  // a JSON array of strings, or ""
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct NewMemory {
  std::string content;
  std::string memory_type = "fact";
  std::string scope = "agent";
  double importance = 0.5;
  std::optional<std::string> name_space;
  std::optional<std::string> path_key;  // needs name_space
  std::string state = "active";
  std::string tags_json;  // a JSON array of strings, or ""
};

struct MemoryFilter {
  std::optional<std::string> scope;
  std::optional<std::string> memory_type;
  std::string state = "active";  // active, inactive or all
  std::optional<std::string> name_space;
  std::optional<std::string> namespace_prefix;
  std::optional<std::string> text;  // a case-insensitive substring of the content
  int64_t limit = 50;
};

// What update_memory may change; absent fields stay.
struct MemoryChange {
  std::optional<std::string> content;
  std::optional<std::string> memory_type;
  std::optional<double> importance;
  std::optional<std::string> state;
};

// The ids a batch operation applied to, and those it did not (unknown, invisible, or not
// the caller's to change).
struct BatchOutcome {
  std::vector<std::string> done;
  std::vector<std::string> failed;
};

// Rule checks shared with callers that build records (kValidation naming the field).
Status ValidateMemoryType(const std::string& memory_type);
Status ValidateMemoryScope(const std::string& scope);

class MemoryStore {
 public:
  explicit MemoryStore(storage::Engine& engine) : engine_(engine) {}

  // Returns the memory_id: a new one, or the existing record's when (namespace, path_key)
  // names one the caller may change (kPermissionDenied when it is someone else's).
  StatusOr<std::string> Store(const auth::Identity& caller, const NewMemory& memory);
  // The records the caller may read that match, newest first.
  StatusOr<std::vector<Memory>> Query(const auth::Identity& caller, const MemoryFilter& filter);
  // None when there is no such record or the caller may not read it.
  StatusOr<std::optional<Memory>> Get(const auth::Identity& caller, const std::string& memory_id);
  StatusOr<std::optional<Memory>> GetByKey(const auth::Identity& caller,
                                           const std::string& name_space,
                                           const std::string& path_key);
  // False when there is no such record visible to the caller; kPermissionDenied when the
  // caller sees it but may not change it.
  StatusOr<bool> Delete(const auth::Identity& caller, const std::string& memory_id);
  StatusOr<bool> SetState(const auth::Identity& caller, const std::string& memory_id,
                          const std::string& state);
  // The updated record; none as for Delete.
  StatusOr<std::optional<Memory>> Update(const auth::Identity& caller, const std::string& memory_id,
                                         const MemoryChange& change);

  StatusOr<BatchOutcome> DeleteBatch(const auth::Identity& caller,
                                     const std::vector<std::string>& memory_ids);
  StatusOr<BatchOutcome> SetStateBatch(const auth::Identity& caller,
                                       const std::vector<std::string>& memory_ids,
                                       const std::string& state);

 private:
  // Runs `change` on the record in one write unit once the caller may change it.
  using RowChange = std::function<Status(storage::Tx&, Memory&)>;
  StatusOr<bool> Modify(const auth::Identity& caller, const std::string& memory_id,
                        const RowChange& change);
  StatusOr<BatchOutcome> Batch(const std::vector<std::string>& memory_ids,
                               const std::function<StatusOr<bool>(const std::string&)>& op);

  storage::Engine& engine_;
};

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MEMORY_MEMORIES_H_

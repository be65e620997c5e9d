// The memory area as the server wires it: memory records, trajectories and playbooks over
// one engine (playbooks learn from the other two).
#ifndef NEXUS_SERVICES_MEMORY_MEMORY_SERVICE_H_
#define NEXUS_SERVICES_MEMORY_MEMORY_SERVICE_H_

#include <span>

#include "services/memory/memories.h"
#include "services/memory/playbooks.h"
#include "services/memory/trajectories.h"
#include "storage/migration.h"

namespace nexus::services {

struct MemoryService {
  explicit MemoryService(storage::Engine& engine)
      : memories(engine), trajectories(engine), playbooks(engine, memories, trajectories) {}

  MemoryStore memories;
  TrajectoryLog trajectories;
  Playbooks playbooks;
};

// Migration 9, memories, trajectories and playbooks: generated from migrations/*.sql by
// cmake/migrations.cmake.
std::span<const storage::Migration> MemorySchema();

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_MEMORY_MEMORY_SERVICE_H_

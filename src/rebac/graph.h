// The live tuples of one tenant in memory, indexed for evaluation: (object, relation) to
// the subjects of its tuples, concrete subjects by key for an exact lookup and usersets
// apart so that a check scans only those.
//
// Expiry is kept per edge and compared with the evaluation's clock, so a tuple that expires
// needs no change here. Not thread-safe: the owner guards it.
#ifndef NEXUS_REBAC_GRAPH_H_
#define NEXUS_REBAC_GRAPH_H_

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rebac/refs.h"
#include "rebac/tuple.h"

namespace nexus::rebac {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct Edge {
  SubjectRef subject;
  int64_t expires_at = kNever;

  bool live(int64_t now) const { return now <= expires_at; }
};

struct RelationEdges {
  std::unordered_map<std::string, Edge> concrete;  // by SubjectKey; includes *:*
  std::unordered_map<std::string, Edge> usersets;  // by SubjectKey
};

// Keys of the maps above. NUL separates the parts: ids never contain it.
std::string ObjectKey(std::string_view type, std::string_view id, std::string_view relation);
std::string SubjectKey(const SubjectRef& subject);

class Graph {
 public:
  // Adds the tuple, or replaces the one with the same object, relation and subject.
  void Put(const Tuple& tuple);
  // Removes the tuple with this object, relation and subject, if present.
  void Remove(const Tuple& tuple);

  // The edges of (object, relation), or null when there are none.
  const RelationEdges* Find(std::string_view type, std::string_view id,
                            std::string_view relation) const;

  // The first instant after `now` at which a tuple live at `now` stops being live (so a
  // result computed at `now` may change), or kNever.
  int64_t NextExpiry(int64_t now) const;

  size_t size() const { return size_; }

 private:
  void ForgetExpiry(int64_t expires_at);

  std::unordered_map<std::string, RelationEdges> edges_;  // by ObjectKey
  std::multiset<int64_t> expiries_;                       // of edges that expire
  size_t size_ = 0;
};

}  // namespace nexus::rebac

#endif  // NEXUS_REBAC_GRAPH_H_

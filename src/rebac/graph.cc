#include "rebac/graph.h"

namespace nexus::rebac {
namespace {

std::unordered_map<std::string, Edge>& MapFor(RelationEdges& edges, const SubjectRef& subject) {
  return subject.is_userset() ? edges.usersets : edges.concrete;
}

}  // namespace

std::string ObjectKey(std::string_view type, std::string_view id, std::string_view relation) {
  std::string key;
  key.reserve(type.size() + id.size() + relation.size() + 2);
  key.append(type).push_back('\0');
  key.append(id).push_back('\0');
  key.append(relation);
  return key;
}

std::string SubjectKey(const SubjectRef& subject) {
  return ObjectKey(subject.type, subject.id, subject.relation);
}

void Graph::Put(const Tuple& tuple) {
  RelationEdges& edges = edges_[ObjectKey(tuple.object.type, tuple.object.id, tuple.relation)];
  const int64_t expires_at = tuple.expires_at.value_or(kNever);
  auto [it, inserted] =
      MapFor(edges, tuple.subject).try_emplace(SubjectKey(tuple.subject), Edge{tuple.subject});
  if (inserted) {
    ++size_;
  } else {
    ForgetExpiry(it->second.expires_at);
  }
  it->second.expires_at = expires_at;
  if (expires_at != kNever) expiries_.insert(expires_at);
}

void Graph::Remove(const Tuple& tuple) {
  auto edges = edges_.find(ObjectKey(tuple.object.type, tuple.object.id, tuple.relation));
  if (edges == edges_.end()) return;
  auto& map = MapFor(edges->second, tuple.subject);
  auto it = map.find(SubjectKey(tuple.subject));
  if (it == map.end()) return;
  ForgetExpiry(it->second.expires_at);
  map.erase(it);
  --size_;
  if (edges->second.concrete.empty() && edges->second.usersets.empty()) edges_.erase(edges);
}

const RelationEdges* Graph::Find(std::string_view type, std::string_view id,
                                 std::string_view relation) const {
  auto it = edges_.find(ObjectKey(type, id, relation));
  return it == edges_.end() ? nullptr : &it->second;
}

int64_t Graph::NextExpiry(int64_t now) const {
  auto it = expiries_.lower_bound(now);
  return it == expiries_.end() ? kNever : *it + 1;
}

void Graph::ForgetExpiry(int64_t expires_at) {
  if (expires_at == kNever) return;
  auto it = expiries_.find(expires_at);
  if (it != expiries_.end()) expiries_.erase(it);
}

}  // namespace nexus::rebac

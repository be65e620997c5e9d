// Conformance in the spirit of SpiceDB's: small schemas with tuples, and for every
// subject x permission x object, Check must agree with (a) membership in Expand's result
// and (b) a brute-force evaluator written here, independent of the engine's code: a least
// fixpoint over the tuple set. Covers expiry, file parents five levels deep, groups of
// groups, cycles (of usersets and of tupleToUserset), and the wildcard. Runs on both
// engines, at several instants so that tuples expire between rounds.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "rebac/rebac.h"
#include "testing/test_store.h"

namespace nexus::rebac {
namespace {

using Json = nlohmann::json;
using test::EngineKind;

constexpr int64_t kT0 = 1'700'000'000'000'000;

struct Spec {
  ObjectRef object;
  std::string relation;
  SubjectRef subject;
  std::optional<int64_t> expires_at;
};

struct Scenario {
  std::string name;
  std::map<std::string, std::string> custom;  // type -> config JSON
  std::vector<Spec> tuples;
  std::vector<ObjectRef> extra_objects;  // checked too (e.g. deep files without tuples)
};

// ---- The brute-force evaluator. Refs are "type:id" strings.

std::string Ref(const std::string& type, const std::string& id) { return type + ":" + id; }

std::string TypeOf(const std::string& ref) { return ref.substr(0, ref.find(':')); }
std::string IdOf(const std::string& ref) { return ref.substr(ref.find(':') + 1); }

std::optional<std::string> PathParent(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  return path.substr(0, slash);
}

class BruteForce {
 public:
  BruteForce(std::map<std::string, Json> schema, const std::vector<Spec>& tuples,
             const std::set<std::string>& universe, int64_t now)
      : schema_(std::move(schema)), universe_(universe) {
    for (const Spec& t : tuples) {
      if (!t.expires_at || now <= *t.expires_at) live_.push_back(t);
    }
    Solve();
  }

  bool Allowed(const std::string& subject, const std::string& permission,
               const std::string& object) const {
    const Json& ns = schema_.at(TypeOf(object));
    std::vector<std::string> relations = {permission};
    if (ns.contains("permissions") && ns["permissions"].contains(permission)) {
      relations = ns["permissions"][permission].get<std::vector<std::string>>();
    }
    for (const std::string& r : relations) {
      if (facts_.count({subject, object, r})) return true;
    }
    return false;
  }

 private:
  using Fact = std::tuple<std::string, std::string, std::string>;  // subject, object, relation

  bool Has(const std::string& s, const std::string& o, const std::string& r) const {
    return facts_.count({s, o, r}) > 0;
  }

  // The live tuples on (object, relation).
  std::vector<const Spec*> On(const std::string& object, const std::string& relation) const {
    std::vector<const Spec*> out;
    for (const Spec& t : live_) {
      if (Ref(t.object.type, t.object.id) == object && t.relation == relation) out.push_back(&t);
    }
    return out;
  }

  bool Derive(const std::string& s, const std::string& o, const std::string& r) const {
    const Json& def = schema_.at(TypeOf(o))["relations"][r];
    if (def.contains("union")) {
      for (const auto& c : def["union"]) {
        if (Has(s, o, c.get<std::string>())) return true;
      }
      return false;
    }
    if (def.contains("tupleToUserset")) {
      const std::string ts = def["tupleToUserset"]["tupleset"];
      const std::string cu = def["tupleToUserset"]["computedUserset"];
      std::vector<std::string> targets;
      if (TypeOf(o) == "file" && ts == "parent") {
        if (auto p = PathParent(IdOf(o))) targets.push_back(Ref("file", *p));
      } else {
        for (const Spec* t : On(o, ts)) {
          if (t->subject.type != "*") targets.push_back(Ref(t->subject.type, t->subject.id));
        }
      }
      for (const std::string& x : targets) {
        if (Has(s, x, cu)) return true;
      }
      return false;
    }
    // Direct.
    if (TypeOf(o) == "file" && r == "parent") {
      auto p = PathParent(IdOf(o));
      return p && s == Ref("file", *p);
    }
    for (const Spec* t : On(o, r)) {
      const std::string subject = Ref(t->subject.type, t->subject.id);
      if (t->subject.relation.empty()) {
        if (subject == s || subject == "*:*") return true;
      } else if (Has(s, subject, t->subject.relation)) {
        return true;
      }
    }
    return false;
  }

  void Solve() {
    std::vector<std::string> subjects(universe_.begin(), universe_.end());
    subjects.push_back("user:nobody");
    subjects.push_back("*:*");
    for (bool changed = true; changed;) {
      changed = false;
      for (const std::string& s : subjects) {
        for (const std::string& o : universe_) {
          for (const auto& [r, def] : schema_.at(TypeOf(o))["relations"].items()) {
            if (!Has(s, o, r) && Derive(s, o, r)) {
              facts_.insert({s, o, r});
              changed = true;
            }
          }
        }
      }
    }
  }

  std::map<std::string, Json> schema_;
  std::set<std::string> universe_;
  std::vector<Spec> live_;
  std::set<Fact> facts_;
};

// ---- Scenarios.

SubjectRef U(const std::string& id) { return {"user", id}; }
SubjectRef Members(const std::string& group) { return {"group", group, "member"}; }

constexpr char kDocConfig[] = R"({
  "relations": {
    "owner": {}, "editor": {}, "viewer": {}, "parent": {},
    "can_edit": {"union": ["editor", "owner", "parent_edit"]},
    "can_view": {"union": ["viewer", "can_edit", "parent_view", "team_view"]},
    "parent_edit": {"tupleToUserset": {"tupleset": "parent", "computedUserset": "can_edit"}},
    "parent_view": {"tupleToUserset": {"tupleset": "parent", "computedUserset": "can_view"}},
    "team_view": {"tupleToUserset": {"tupleset": "viewer", "computedUserset": "member"}}
  },
  "permissions": {"read": ["can_view"], "write": ["can_edit"], "admin": ["owner"]}
})";

Scenario GroupsAndDocs() {
  Scenario s;
  s.name = "groups_and_docs";
  s.custom["doc"] = kDocConfig;
  auto doc = [](const std::string& id) { return ObjectRef{"doc", id}; };
  auto group = [](const std::string& id) { return ObjectRef{"group", id}; };
  s.tuples = {
      {group("eng"), "member", U("alice"), {}},
      {group("eng"), "member", Members("ops"), {}},  // groups of groups
      {group("ops"), "member", U("bob"), {}},
      {group("ops"), "member", Members("eng"), {}},  // a cycle: eng <-> ops
      {group("sec"), "admin", U("carol"), {}},
      {group("sec"), "member", SubjectRef{"group", "sec", "admin"}, {}},  // self userset
      {group("pub"), "member", SubjectRef::Wildcard(), {}},
      {group("tmp"), "member", U("tina"), kT0 + 50},
      {doc("d1"), "owner", U("alice"), {}},
      {doc("d2"), "parent", SubjectRef{"doc", "d1"}, {}},
      {doc("d3"), "parent", SubjectRef{"doc", "d2"}, {}},
      {doc("d1"), "parent", SubjectRef{"doc", "d3"}, {}},  // a cycle of parents
      {doc("d4"), "viewer", Members("eng"), {}},
      {doc("d5"), "viewer", Members("pub"), {}},
      {doc("d6"), "editor", U("dave"), kT0 + 100},
      {doc("d6"), "viewer", SubjectRef{"group", "sec"}, {}},  // team_view
      {doc("d7"), "viewer", SubjectRef::Wildcard(), {}},
      {doc("d8"), "editor", Members("ops"), kT0 + 50},
      {doc("d8"), "viewer", Members("tmp"), {}},
      {doc("d9"), "parent", SubjectRef{"doc", "d8"}, {}},
  };
  return s;
}

Scenario Files() {
  Scenario s;
  s.name = "files";
  auto file = [](const std::string& path) { return ObjectRef{"file", path}; };
  s.tuples = {
      {file("/a"), "direct_owner", U("alice"), {}},
      {file("/a/b/c"), "direct_viewer", Members("eng"), {}},
      {{"group", "eng"}, "member", U("bob"), {}},
      {{"group", "eng"}, "member", Members("interns"), {}},
      {{"group", "interns"}, "member", U("ivan"), kT0 + 100},
      {file("/a/b/c/d/e"), "direct_editor", U("erin"), {}},
      {file("/x"), "direct_owner", SubjectRef{"group", "ops"}, {}},  // group_owner
      {{"group", "ops"}, "member", U("olga"), {}},
      {file("/x/y"), "shared-editor", U("sam"), {}},
      {file("/pub"), "direct_viewer", SubjectRef::Wildcard(), {}},
      {file("/a/b"), "shared-viewer", U("sue"), kT0 + 50},
      {file("/a/b/c/d/e/f"), "direct_viewer", {"agent", "alice,bot"}, {}},
  };
  // Five levels of parents below /a, and files nobody named in a tuple.
  s.extra_objects = {file("/a/b/c/d/e/f/g"), file("/x/y/z"), file("/pub/p"), file("/other")};
  return s;
}

Scenario Skills() {
  Scenario s;
  s.name = "skills";
  auto skill = [](const std::string& id) { return ObjectRef{"skill", id}; };
  s.tuples = {
      {skill("s1"), "tenant", SubjectRef{"tenant", "t1"}, {}},
      {{"tenant", "t1"}, "member", U("alice"), {}},
      {{"tenant", "t1"}, "member", U("tom"), kT0 + 50},
      {skill("s1"), "owner", U("bob"), {}},
      {skill("s2"), "public", SubjectRef::Wildcard(), {}},
      {skill("s3"), "approver", Members("rev"), {}},
      {{"group", "rev"}, "member", U("carol"), {}},
      {{"group", "rev"}, "admin", U("dan"), {}},
      {skill("s3"), "editor", SubjectRef{"group", "rev", "viewer"}, {}},  // union userset
  };
  return s;
}

// ---- The test.

class ConformanceTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    RebacOptions options;
    options.now = [this] { return now_.load(); };
    rebac_ = std::make_unique<Rebac>(*store_.engine, options);
  }

  void Load(const Scenario& s) {
    for (const auto& [type, json] : s.custom) {
      ASSERT_TRUE(rebac_->CreateNamespace(kTenant, type, json).ok()) << type;
    }
    for (const Spec& t : s.tuples) {
      TupleWrite w{kTenant, t.subject, t.relation, t.object, t.expires_at, {}, "", ""};
      auto r = rebac_->WriteTuple(w);
      ASSERT_TRUE(r.ok()) << ToString(t.object) << "#" << t.relation << "@" << ToString(t.subject)
                          << ": " << r.status().ToString();
    }
  }

  std::set<std::string> Universe(const Scenario& s) {
    std::set<std::string> refs;
    auto add = [&](const std::string& type, const std::string& id) {
      if (type == "*") return;
      refs.insert(Ref(type, id));
      if (type != "file") return;
      for (auto p = PathParent(id); p; p = PathParent(*p)) refs.insert(Ref("file", *p));
    };
    for (const Spec& t : s.tuples) {
      add(t.object.type, t.object.id);
      add(t.subject.type, t.subject.id);
    }
    for (const ObjectRef& o : s.extra_objects) add(o.type, o.id);
    return refs;
  }

  std::map<std::string, Json> Schema(const std::set<std::string>& universe) {
    std::map<std::string, Json> schema;
    for (const std::string& ref : universe) {
      const std::string type = TypeOf(ref);
      if (schema.count(type)) continue;
      auto info = rebac_->GetNamespace(kTenant, type);
      EXPECT_TRUE(info.ok()) << type;
      if (info.ok()) schema[type] = Json::parse(NamespaceConfigToJson(info->config));
    }
    return schema;
  }

  // Every permission and relation name of `type`.
  static std::vector<std::string> Permissions(const Json& ns) {
    std::vector<std::string> names;
    for (const auto& [p, v] : ns["permissions"].items()) names.push_back(p);
    for (const auto& [r, v] : ns["relations"].items()) names.push_back(r);
    return names;
  }

  void CompareAll(const Scenario& s) {
    SCOPED_TRACE(s.name + " at T0+" + std::to_string(now_.load() - kT0));
    const std::set<std::string> universe = Universe(s);
    std::map<std::string, Json> schema = Schema(universe);
    BruteForce brute(schema, s.tuples, universe, now_.load());
    std::vector<SubjectRef> subjects = {U("nobody"), SubjectRef::Wildcard()};
    for (const std::string& ref : universe) subjects.push_back({TypeOf(ref), IdOf(ref)});

    int checks = 0;
    int allowed = 0;
    for (const std::string& object_ref : universe) {
      const ObjectRef object{TypeOf(object_ref), IdOf(object_ref)};
      for (const std::string& perm : Permissions(schema[object.type])) {
        auto expanded = rebac_->Expand(kTenant, perm, object);
        ASSERT_TRUE(expanded.ok()) << expanded.status().ToString();
        const std::set<SubjectRef> expand_set(expanded->begin(), expanded->end());
        const bool everyone = expand_set.count(SubjectRef::Wildcard()) > 0;
        for (const SubjectRef& subject : subjects) {
          auto checked = rebac_->Check(kTenant, subject, perm, object);
          ASSERT_TRUE(checked.ok()) << checked.status().ToString();
          const std::string what = ToString(subject) + " " + perm + " " + object_ref;
          EXPECT_EQ(*checked, brute.Allowed(Ref(subject.type, subject.id), perm, object_ref))
              << what << " (check vs brute force)";
          EXPECT_EQ(*checked, everyone || expand_set.count(subject) > 0)
              << what << " (check vs expand)";
          ++checks;
          allowed += *checked ? 1 : 0;
        }
      }
    }
    EXPECT_GT(checks, 100);
    EXPECT_GT(allowed, 20);  // not vacuous either way
    EXPECT_GT(checks - allowed, 20);
    CompareBulk(universe, schema, subjects, brute);
  }

  // CheckBulk over every object of a type agrees with the brute force too.
  void CompareBulk(const std::set<std::string>& universe, std::map<std::string, Json>& schema,
                   const std::vector<SubjectRef>& subjects, const BruteForce& brute) {
    std::map<std::string, std::vector<ObjectRef>> by_type;
    for (const std::string& ref : universe)
      by_type[TypeOf(ref)].push_back({TypeOf(ref), IdOf(ref)});
    for (const auto& [type, objects] : by_type) {
      for (const std::string& perm : Permissions(schema[type])) {
        for (const SubjectRef& subject : subjects) {
          auto bulk = rebac_->CheckBulk(kTenant, subject, perm, objects);
          ASSERT_TRUE(bulk.ok()) << bulk.status().ToString();
          for (size_t i = 0; i < objects.size(); ++i) {
            EXPECT_EQ((*bulk)[i], brute.Allowed(Ref(subject.type, subject.id), perm,
                                                Ref(objects[i].type, objects[i].id)))
                << ToString(subject) << " " << perm << " " << ToString(objects[i]) << " (bulk)";
          }
        }
      }
    }
  }

  void Run(const Scenario& s) {
    Load(s);
    for (int64_t at : {int64_t{0}, int64_t{50}, int64_t{51}, int64_t{101}}) {
      now_ = kT0 + at;
      CompareAll(s);
      if (HasFatalFailure()) return;
    }
  }

  static constexpr char kTenant[] = "t1";
  test::TestStore store_;
  std::atomic<int64_t> now_{kT0};
  std::unique_ptr<Rebac> rebac_;
};

TEST_P(ConformanceTest, GroupsAndDocs) { Run(GroupsAndDocs()); }
TEST_P(ConformanceTest, Files) { Run(Files()); }
TEST_P(ConformanceTest, Skills) { Run(Skills()); }

// A fresh instance (cold caches) and one that caught up through the changelog agree.
TEST_P(ConformanceTest, ColdAndIncrementalAgree) {
  now_ = kT0;
  RebacOptions options;
  options.now = [this] { return now_.load(); };
  auto warm = std::make_unique<Rebac>(*store_.engine, options);
  ASSERT_TRUE(warm->Check(kTenant, U("x"), "read", {"file", "/a"}).ok());  // loads empty
  Load(Files());
  rebac_ = std::move(warm);
  CompareAll(Files());
}

INSTANTIATE_TEST_SUITE_P(Engines, ConformanceTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::rebac

// The Rebac facade on both engines: read-your-writes (one and two instances), no writes on
// the read path, validation, idempotency, tenancy, tuple listings, renames and removals,
// namespaces and the changelog.
#include "rebac/rebac.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "rebac/changelog.h"
#include "storage/engine.h"
#include "testing/test_store.h"

namespace nexus::rebac {
namespace {

using storage::Tx;
using test::EngineKind;

constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr char kTenant[] = "acme";

const SubjectRef kAlice{"user", "alice"};
const SubjectRef kBob{"user", "bob"};

ObjectRef File(const std::string& path) { return {"file", path}; }

RebacOptions Options(int max_depth, int64_t reload_after) {
  RebacOptions options;
  options.max_depth = max_depth;
  options.reload_after = reload_after;
  return options;
}

TupleWrite Grant(const SubjectRef& subject, const std::string& relation, const ObjectRef& object,
                 const std::string& tenant = kTenant) {
  TupleWrite w;
  w.tenant_id = tenant;
  w.subject = subject;
  w.relation = relation;
  w.object = object;
  return w;
}

class RebacTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    store_ = test::OpenTestStore(GetParam());
    if (!store_.engine) GTEST_SKIP() << "no PostgreSQL test server";
    rebac_ = NewRebac(*store_.engine);
  }

  std::unique_ptr<Rebac> NewRebac(storage::Engine& engine, RebacOptions options = {}) {
    options.now = [this] { return now_.load(); };
    return std::make_unique<Rebac>(engine, options);
  }

  std::string Write(const TupleWrite& w, Rebac* rebac = nullptr) {
    auto r = (rebac ? rebac : rebac_.get())->WriteTuple(w);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->tuple_id : "";
  }

  Status WriteError(const TupleWrite& w) { return rebac_->WriteTuple(w).status(); }

  bool Allowed(const SubjectRef& subject, const std::string& permission, const ObjectRef& object,
               Rebac* rebac = nullptr, const std::string& tenant = kTenant) {
    auto r = (rebac ? rebac : rebac_.get())->Check(tenant, subject, permission, object);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  }

  int64_t Revision() {
    auto r = rebac_->CurrentRevision();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : -1;
  }

  std::vector<Tuple> List(const TupleFilter& filter, const std::string& tenant = kTenant) {
    auto r = rebac_->ListTuples(tenant, filter);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Tuple>{};
  }

  test::TestStore store_;
  std::atomic<int64_t> now_{kT0};
  std::unique_ptr<Rebac> rebac_;
};

// ---- Consistency.

TEST_P(RebacTest, ReadYourWrites) {
  EXPECT_FALSE(Allowed(kAlice, "read", File("/a/b")));  // caches the empty graph
  const std::string id = Write(Grant(kAlice, "direct_owner", File("/a")));
  EXPECT_TRUE(Allowed(kAlice, "read", File("/a/b")));
  auto deleted = rebac_->DeleteTuple(kTenant, id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_FALSE(Allowed(kAlice, "read", File("/a/b")));
  deleted = rebac_->DeleteTuple(kTenant, id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
}

// Two instances on one database, as two nodes: each one's next check sees the other's
// writes. On PostgreSQL the second has an engine (a connection pool) of its own.
TEST_P(RebacTest, TwoNodesSeeEachOthersWrites) {
  std::unique_ptr<storage::Engine> second_engine;
  storage::Engine* engine = store_.engine.get();
  if (GetParam() == EngineKind::kPostgres) {
    auto opened = storage::OpenEngine(store_.url, storage::Durability::kFull);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    second_engine = std::move(opened).value();
    engine = second_engine.get();
  }
  std::unique_ptr<Rebac> other = NewRebac(*engine);
  EXPECT_FALSE(Allowed(kBob, "write", File("/doc"), other.get()));
  const std::string id = Write(Grant(kBob, "direct_editor", File("/doc")));
  EXPECT_TRUE(Allowed(kBob, "write", File("/doc"), other.get()));
  ASSERT_TRUE(other->DeleteTuple(kTenant, id).ok());
  EXPECT_FALSE(Allowed(kBob, "write", File("/doc")));
  EXPECT_FALSE(Allowed(kBob, "write", File("/doc"), other.get()));

  // A namespace change travels the same way.
  ASSERT_TRUE(rebac_
                  ->CreateNamespace(kTenant, "doc", R"({"relations": {"reader": {}},
      "permissions": {"read": ["reader"]}})")
                  .ok());
  Write(Grant(kBob, "reader", {"doc", "d"}));
  EXPECT_TRUE(Allowed(kBob, "read", {"doc", "d"}, other.get()));
  ASSERT_TRUE(rebac_
                  ->CreateNamespace(kTenant, "doc", R"({"relations": {"reader": {},
      "writer": {}}, "permissions": {"read": ["writer"]}})")
                  .ok());
  EXPECT_FALSE(Allowed(kBob, "read", {"doc", "d"}, other.get()));
}

TEST_P(RebacTest, NoWritesOnTheReadPath) {
  Write(Grant(kAlice, "direct_owner", File("/a")));
  Write(Grant(SubjectRef{"group", "eng", "member"}, "direct_viewer", File("/a/b")));
  Write(Grant(kBob, "member", {"group", "eng"}));
  const storage::EngineStats before = store_.engine->Stats();
  std::vector<ObjectRef> listing = {File("/a"), File("/a/b"), File("/a/b/c"), File("/z")};
  for (int i = 0; i < 1000; ++i) {
    const SubjectRef& who = i % 2 ? kAlice : kBob;
    ASSERT_TRUE(rebac_->Check(kTenant, who, "read", File("/a/b/c/" + std::to_string(i % 7))).ok());
    if (i % 10 == 0) {
      ASSERT_TRUE(rebac_->CheckBulk(kTenant, who, "write", listing).ok());
      ASSERT_TRUE(rebac_->Expand(kTenant, "read", File("/a/b/c")).ok());
      ASSERT_TRUE(rebac_->Explain(kTenant, who, "execute", File("/a/b")).ok());
      ASSERT_TRUE(rebac_->ListTuples(kTenant, {}).ok());
      ASSERT_TRUE(rebac_->ListNamespaces(kTenant).ok());
    }
  }
  const storage::EngineStats after = store_.engine->Stats();
  EXPECT_EQ(after.commits, before.commits);
  EXPECT_EQ(after.write_units, before.write_units);
  EXPECT_GT(after.read_units, before.read_units);
}

TEST_P(RebacTest, ExpiredGrantsStopAtTheirTime) {
  TupleWrite w = Grant(kBob, "direct_viewer", File("/tmp"));
  w.expires_at = kT0 + 1000;
  Write(w);
  EXPECT_TRUE(Allowed(kBob, "read", File("/tmp/x")));  // cached now
  now_ = kT0 + 1000;
  EXPECT_TRUE(Allowed(kBob, "read", File("/tmp/x")));
  now_ = kT0 + 1001;
  EXPECT_FALSE(Allowed(kBob, "read", File("/tmp/x")));  // not served from the cache
  EXPECT_TRUE(List({}).empty());
  TupleFilter all;
  all.include_expired = true;
  EXPECT_EQ(List(all).size(), 1u);
}

TEST_P(RebacTest, WritesJoinTheCallersUnit) {
  Status s = store_.engine->Write([&](Tx& tx) -> Status {
    RETURN_IF_ERROR(rebac_->WriteTuple(tx, Grant(kAlice, "direct_owner", File("/x"))).status());
    RETURN_IF_ERROR(rebac_->WriteTuple(tx, Grant(kBob, "direct_owner", File("/y"))).status());
    return Internal("abandon");  // rolls both back
  });
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_FALSE(Allowed(kAlice, "read", File("/x")));
  EXPECT_TRUE(List({}).empty());
  EXPECT_EQ(Revision(), 0);

  ASSERT_TRUE(store_.engine
                  ->Write([&](Tx& tx) -> Status {
                    RETURN_IF_ERROR(
                        rebac_->WriteTuple(tx, Grant(kAlice, "direct_owner", File("/x"))).status());
                    return rebac_->WriteTuple(tx, Grant(kBob, "direct_owner", File("/y"))).status();
                  })
                  .ok());
  EXPECT_TRUE(Allowed(kAlice, "read", File("/x")));
  EXPECT_TRUE(Allowed(kBob, "read", File("/y")));
  EXPECT_EQ(Revision(), 2);
}

TEST_P(RebacTest, LargeGapsReloadTheTenant) {
  std::unique_ptr<Rebac> small =
      NewRebac(*store_.engine, Options(/*max_depth=*/50, /*reload_after=*/2));
  EXPECT_FALSE(Allowed(kAlice, "read", File("/f4"), small.get()));
  for (int i = 0; i < 5; ++i) Write(Grant(kAlice, "direct_viewer", File("/f" + std::to_string(i))));
  EXPECT_TRUE(Allowed(kAlice, "read", File("/f4"), small.get()));
  Write(Grant(kBob, "direct_viewer", File("/f0")));  // a small gap: incremental
  EXPECT_TRUE(Allowed(kBob, "read", File("/f0"), small.get()));
}

TEST_P(RebacTest, ConcurrentChecksAndWrites) {
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      while (!stop) {
        auto r = rebac_->Check(kTenant, kAlice, "read", File("/c/" + std::to_string(t)));
        if (!r.ok()) ++failures;
      }
    });
  }
  for (int i = 0; i < 20; ++i)
    Write(Grant(kAlice, "direct_viewer", File("/c" + std::to_string(i))));
  Write(Grant(kAlice, "direct_viewer", File("/c")));
  stop = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_TRUE(Allowed(kAlice, "read", File("/c/3")));
}

// Concurrent writers (retried on PostgreSQL) leave one tuple per key and a changelog with
// one revision per change, without gaps.
TEST_P(RebacTest, ConcurrentWritersGetDistinctRevisions) {
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::string> shared_ids(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = rebac_->WriteTuple(Grant(
            kAlice, "direct_viewer", File("/w/" + std::to_string(t) + "/" + std::to_string(i))));
        if (!r.ok()) ++failures;
      }
      auto r = rebac_->WriteTuple(Grant(kBob, "direct_owner", File("/shared")));
      if (r.ok())
        shared_ids[t] = r->tuple_id;
      else
        ++failures;
    });
  }
  for (auto& th : writers) th.join();
  ASSERT_EQ(failures, 0);
  for (const std::string& id : shared_ids) EXPECT_EQ(id, shared_ids[0]);
  EXPECT_EQ(Revision(), kThreads * kEach + 1);
  std::vector<Change> changes;
  ASSERT_TRUE(store_.engine
                  ->Read([&](Tx& tx) -> Status {
                    ASSIGN_OR_RETURN(changes, ReadChanges(tx, kTenant, 0, 1000));
                    return Status::OK();
                  })
                  .ok());
  ASSERT_EQ(changes.size(), static_cast<size_t>(kThreads * kEach + 1));
  for (size_t i = 0; i < changes.size(); ++i) EXPECT_EQ(changes[i].revision, int64_t(i + 1));
  EXPECT_TRUE(Allowed(kAlice, "read", File("/w/3/9")));
}

// ---- Validation.

TEST_P(RebacTest, RefusesUnknownTypesAndRelations) {
  Status s = WriteError(Grant(kAlice, "owner", {"spaceship", "x"}));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown object type 'spaceship'"), std::string::npos) << s.message();
  s = WriteError(Grant({"alien", "x"}, "direct_owner", File("/a")));
  EXPECT_NE(s.message().find("unknown object type 'alien'"), std::string::npos) << s.message();
  s = WriteError(Grant(kAlice, "direct_pilot", File("/a")));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown relation 'direct_pilot'"), std::string::npos);
  s = WriteError(Grant(SubjectRef{"group", "eng", "pilots"}, "direct_viewer", File("/a")));
  EXPECT_NE(s.message().find("unknown relation 'pilots' of subject type 'group'"),
            std::string::npos)
      << s.message();

  auto checked = rebac_->Check(kTenant, kAlice, "read", {"spaceship", "x"});
  EXPECT_EQ(checked.status().code(), Code::kInvalidArgument);
  checked = rebac_->Check(kTenant, kAlice, "fly", File("/a"));
  EXPECT_EQ(checked.status().code(), Code::kInvalidArgument);
  EXPECT_NE(checked.status().message().find("'fly' for object type 'file'"), std::string::npos);
}

TEST_P(RebacTest, RefusesComputedRelationsAndFileParents) {
  Status s = WriteError(Grant(kAlice, "owner", File("/a")));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'owner'"), std::string::npos);
  EXPECT_NE(s.message().find("computed (union)"), std::string::npos) << s.message();
  s = WriteError(Grant(kAlice, "parent_owner", File("/a")));
  EXPECT_NE(s.message().find("computed (tupleToUserset)"), std::string::npos) << s.message();
  s = WriteError(Grant({"file", "/a"}, "parent", File("/a/b")));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "parent relations of files follow their paths");
  EXPECT_EQ(Revision(), 0);
}

TEST_P(RebacTest, RefusesBadNamesIdsTimesAndConditions) {
  EXPECT_EQ(WriteError(Grant(kAlice, "Direct_Owner", File("/a"))).code(), Code::kInvalidArgument);
  EXPECT_EQ(WriteError(Grant(kAlice, "direct_owner", {"File", "/a"})).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(WriteError(Grant(kAlice, "direct_owner", File("a/b"))).code(), Code::kInvalidArgument);
  EXPECT_EQ(WriteError(Grant(kAlice, "direct_owner", File("/a/../b"))).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(WriteError(Grant({"user", ""}, "direct_owner", File("/a"))).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(WriteError(Grant(kAlice, "direct_owner", File("/a"), "")).code(),
            Code::kInvalidArgument);

  TupleWrite w = Grant(kAlice, "direct_owner", File("/a"));
  w.expires_at = kT0 - 1;
  Status s = WriteError(w);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("expires_at is in the past"), std::string::npos);

  w.expires_at.reset();
  w.conditions = "{not json";
  EXPECT_EQ(WriteError(w).code(), Code::kInvalidArgument);
  w.conditions = R"({"time_window": {"start": "09:00"}})";
  const std::string id = Write(w);
  auto tuple = rebac_->GetTuple(kTenant, id);
  ASSERT_TRUE(tuple.ok());
  EXPECT_EQ(tuple->conditions, w.conditions);
}

TEST_P(RebacTest, RefusesCrossTenantTuples) {
  TupleWrite w = Grant(kAlice, "direct_viewer", File("/a"));
  w.subject_tenant = "other";
  Status s = WriteError(w);
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_NE(s.message().find("cross-tenant"), std::string::npos);
  w.subject_tenant = kTenant;
  w.object_tenant = "other";
  EXPECT_EQ(WriteError(w).code(), Code::kPermissionDenied);
  w.object_tenant = kTenant;
  Write(w);
}

// ---- Idempotency and tenancy.

TEST_P(RebacTest, WritesAreIdempotent) {
  auto first = rebac_->WriteTuple(Grant(kAlice, "direct_viewer", File("/a")));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->changed);
  EXPECT_EQ(first->revision, 1);
  auto again = rebac_->WriteTuple(Grant(kAlice, "direct_viewer", File("/a")));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->tuple_id, first->tuple_id);
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(Revision(), 1);

  TupleWrite w = Grant(kAlice, "direct_viewer", File("/a"));
  w.expires_at = kT0 + 10;
  auto extended = rebac_->WriteTuple(w);
  ASSERT_TRUE(extended.ok());
  EXPECT_EQ(extended->tuple_id, first->tuple_id);
  EXPECT_TRUE(extended->changed);
  EXPECT_EQ(Revision(), 2);
  now_ = kT0 + 11;  // expired: written again, it lives again under the same id
  EXPECT_FALSE(Allowed(kAlice, "read", File("/a")));
  auto revived = rebac_->WriteTuple(Grant(kAlice, "direct_viewer", File("/a")));
  ASSERT_TRUE(revived.ok());
  EXPECT_TRUE(revived->changed);
  EXPECT_TRUE(Allowed(kAlice, "read", File("/a")));
  EXPECT_EQ(List({}).size(), 1u);
}

TEST_P(RebacTest, TenantsAreIsolated) {
  const std::string id = Write(Grant(kAlice, "direct_owner", File("/a")));
  EXPECT_FALSE(Allowed(kAlice, "read", File("/a"), nullptr, "globex"));
  EXPECT_TRUE(List({}, "globex").empty());
  EXPECT_EQ(rebac_->GetTuple("globex", id).status().code(), Code::kNotFound);
  auto deleted = rebac_->DeleteTuple("globex", id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
  auto expanded = rebac_->Expand("globex", "read", File("/a"));
  ASSERT_TRUE(expanded.ok());
  EXPECT_TRUE(expanded->empty());
  // A custom namespace of one tenant is not another's.
  ASSERT_TRUE(rebac_->CreateNamespace("globex", "doc", R"({"relations": {"r": {}}})").ok());
  EXPECT_EQ(WriteError(Grant(kAlice, "r", {"doc", "d"})).code(), Code::kInvalidArgument);
  Write(Grant(kAlice, "r", {"doc", "d"}, "globex"));
  EXPECT_TRUE(Allowed(kAlice, "r", {"doc", "d"}, nullptr, "globex"));
}

// ---- Reads.

TEST_P(RebacTest, ListAndGetTuples) {
  const std::string a = Write(Grant(kAlice, "direct_owner", File("/a")));
  now_ += 1;
  const std::string b = Write(Grant(kBob, "direct_viewer", File("/a")));
  now_ += 1;
  const std::string c =
      Write(Grant(SubjectRef{"group", "eng", "member"}, "direct_viewer", File("/b")));
  now_ += 1;
  Write(Grant(kBob, "member", {"group", "eng"}));

  EXPECT_EQ(List({}).size(), 4u);
  TupleFilter by_object;
  by_object.object = File("/a");
  auto on_a = List(by_object);
  ASSERT_EQ(on_a.size(), 2u);
  EXPECT_EQ(on_a[0].tuple_id, a);  // oldest first
  EXPECT_EQ(on_a[1].tuple_id, b);
  TupleFilter by_subject;
  by_subject.subject = kBob;
  EXPECT_EQ(List(by_subject).size(), 2u);
  TupleFilter by_group;
  by_group.subject = SubjectRef{"group", "eng"};  // any relation of group:eng
  ASSERT_EQ(List(by_group).size(), 1u);
  EXPECT_EQ(List(by_group)[0].tuple_id, c);
  TupleFilter by_relation;
  by_relation.relation = "direct_viewer";
  EXPECT_EQ(List(by_relation).size(), 2u);
  TupleFilter page;
  page.limit = 2;
  page.offset = 1;
  auto paged = List(page);
  ASSERT_EQ(paged.size(), 2u);
  EXPECT_EQ(paged[0].tuple_id, b);
  TupleFilter offset_only;
  offset_only.offset = 3;
  EXPECT_EQ(List(offset_only).size(), 1u);

  auto tuple = rebac_->GetTuple(kTenant, c);
  ASSERT_TRUE(tuple.ok());
  EXPECT_EQ(tuple->subject, (SubjectRef{"group", "eng", "member"}));
  EXPECT_EQ(tuple->relation, "direct_viewer");
  EXPECT_EQ(tuple->object, File("/b"));
  EXPECT_EQ(tuple->tenant_id, kTenant);
  EXPECT_EQ(tuple->created_at, kT0 + 2);
  EXPECT_FALSE(tuple->expires_at.has_value());
  Status s = rebac_->GetTuple(kTenant, "nope").status();
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "tuple not found: 'nope'");
}

TEST_P(RebacTest, DeleteMatching) {
  Write(Grant(kAlice, "direct_owner", File("/a")));
  Write(Grant(kAlice, "direct_viewer", File("/b")));
  Write(Grant(kBob, "direct_viewer", File("/b")));
  TupleFilter filter;
  filter.subject = kAlice;
  filter.relation = "direct_viewer";
  auto n = rebac_->DeleteMatching(kTenant, filter);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(Allowed(kAlice, "read", File("/b")));
  EXPECT_TRUE(Allowed(kBob, "read", File("/b")));
  EXPECT_TRUE(Allowed(kAlice, "read", File("/a")));
  EXPECT_EQ(rebac_->DeleteMatching(kTenant, {}).status().code(), Code::kInvalidArgument);
}

// ---- Renames and removals.

TEST_P(RebacTest, RenameObjectsMovesASubtree) {
  Write(Grant(kAlice, "direct_owner", File("/a")));
  Write(Grant(kBob, "direct_viewer", File("/a/b/c")));
  Write(Grant(kBob, "direct_editor", File("/ab")));  // a sibling, not below /a
  Write(Grant({"file", "/a/b", "owner"}, "direct_viewer", File("/elsewhere")));
  const int64_t before = Revision();

  ASSERT_TRUE(rebac_->RenameObjects(kTenant, "file", "/a", "/m").ok());
  EXPECT_EQ(Revision(), before + 6);  // a delete and a write per moved tuple
  EXPECT_TRUE(Allowed(kAlice, "execute", File("/m/b/c")));
  EXPECT_TRUE(Allowed(kBob, "read", File("/m/b/c/d")));
  EXPECT_FALSE(Allowed(kAlice, "read", File("/a/b/c")));
  EXPECT_FALSE(Allowed(kBob, "read", File("/a/b/c")));
  EXPECT_TRUE(Allowed(kBob, "write", File("/ab")));
  // The userset subject moved with its file: owners of /m/b view /elsewhere.
  EXPECT_TRUE(Allowed(kAlice, "read", File("/elsewhere")));
  TupleFilter on_elsewhere;
  on_elsewhere.object = File("/elsewhere");
  ASSERT_EQ(List(on_elsewhere).size(), 1u);
  EXPECT_EQ(List(on_elsewhere)[0].subject, (SubjectRef{"file", "/m/b", "owner"}));

  EXPECT_EQ(rebac_->RenameObjects(kTenant, "file", "/m", "/m/n").code(), Code::kInvalidArgument);
  EXPECT_EQ(rebac_->RenameObjects(kTenant, "file", "/m", "m2").code(), Code::kInvalidArgument);
}

TEST_P(RebacTest, RenameReplacesTuplesAtTheDestination) {
  const std::string moved = Write(Grant(kAlice, "direct_owner", File("/src")));
  Write(Grant(kAlice, "direct_owner", File("/dst")));  // stale, same key after the move
  Write(Grant(kBob, "direct_viewer", File("/dst")));
  ASSERT_TRUE(rebac_->RenameObjects(kTenant, "file", "/src", "/dst").ok());
  TupleFilter on_dst;
  on_dst.object = File("/dst");
  auto tuples = List(on_dst);
  ASSERT_EQ(tuples.size(), 2u);
  EXPECT_TRUE(tuples[0].tuple_id == moved || tuples[1].tuple_id == moved);
  EXPECT_TRUE(Allowed(kAlice, "execute", File("/dst")));
  EXPECT_TRUE(Allowed(kBob, "read", File("/dst")));
}

TEST_P(RebacTest, RenameOtherTypesMovesOneId) {
  Write(Grant(kAlice, "member", {"group", "eng"}));
  Write(Grant(SubjectRef{"group", "eng", "member"}, "direct_viewer", File("/d")));
  ASSERT_TRUE(rebac_->RenameObjects(kTenant, "group", "eng", "engineering").ok());
  EXPECT_TRUE(Allowed(kAlice, "read", File("/d")));
  EXPECT_TRUE(Allowed(kAlice, "member", {"group", "engineering"}));
  EXPECT_FALSE(Allowed(kAlice, "member", {"group", "eng"}));
}

TEST_P(RebacTest, RemoveObjectsDeletesASubtree) {
  Write(Grant(kAlice, "direct_owner", File("/a")));
  Write(Grant(kBob, "direct_viewer", File("/a/b/c")));
  Write(Grant(kBob, "direct_viewer", File("/ab")));
  EXPECT_TRUE(Allowed(kBob, "read", File("/a/b/c")));
  ASSERT_TRUE(rebac_->RemoveObjects(kTenant, "file", "/a").ok());
  EXPECT_FALSE(Allowed(kAlice, "read", File("/a")));
  EXPECT_FALSE(Allowed(kBob, "read", File("/a/b/c")));
  EXPECT_TRUE(Allowed(kBob, "read", File("/ab")));
  EXPECT_EQ(List({}).size(), 1u);
}

// ---- Namespaces.

TEST_P(RebacTest, CustomNamespacesOverrideAndRevert) {
  auto all = rebac_->ListNamespaces(kTenant);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), DefaultNamespaces().size());
  for (const NamespaceInfo& info : *all) EXPECT_FALSE(info.custom) << info.object_type;

  // group, replaced: only admins can read.
  ASSERT_TRUE(rebac_
                  ->CreateNamespace(kTenant, "group", R"({"relations": {"member": {},
      "admin": {}}, "permissions": {"read": ["admin"]}})")
                  .ok());
  Write(Grant(kBob, "member", {"group", "eng"}));
  EXPECT_FALSE(Allowed(kBob, "read", {"group", "eng"}));
  auto info = rebac_->GetNamespace(kTenant, "group");
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->custom);
  EXPECT_TRUE(info->has_default);
  EXPECT_EQ(info->created_at, kT0);
  EXPECT_EQ(info->config.permissions.at("read"), std::vector<std::string>{"admin"});

  // A new type.
  ASSERT_TRUE(rebac_->CreateNamespace(kTenant, "doc", R"({"relations": {"reader": {}}})").ok());
  all = rebac_->ListNamespaces(kTenant);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), DefaultNamespaces().size() + 1);

  auto deleted = rebac_->DeleteNamespace(kTenant, "group");
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_TRUE(Allowed(kBob, "read", {"group", "eng"}));  // the default again
  deleted = rebac_->DeleteNamespace(kTenant, "doc");
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_EQ(rebac_->GetNamespace(kTenant, "doc").status().code(), Code::kNotFound);
  deleted = rebac_->DeleteNamespace(kTenant, "doc");
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(*deleted);
}

TEST_P(RebacTest, NamespaceErrors) {
  Status s = rebac_->CreateNamespace(kTenant, "doc", "{\"relations\": {");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("not valid JSON"), std::string::npos);
  EXPECT_EQ(rebac_->CreateNamespace(kTenant, "Doc", R"({"relations": {}})").code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      rebac_->CreateNamespace(kTenant, "doc", R"({"relations": {"a": {"union": ["b"]}}})").code(),
      Code::kInvalidArgument);
  auto deleted = rebac_->DeleteNamespace(kTenant, "file");
  EXPECT_EQ(deleted.status().code(), Code::kInvalidArgument);
  EXPECT_NE(deleted.status().message().find("built-in namespace 'file' cannot be deleted"),
            std::string::npos);
  EXPECT_EQ(Revision(), 0);
}

// ---- Explain, expand and the depth limit through the facade.

TEST_P(RebacTest, ExplainAndExpand) {
  Write(Grant(kAlice, "direct_owner", File("/a")));
  auto e = rebac_->Explain(kTenant, kAlice, "read", File("/a/b"));
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->allowed);
  EXPECT_EQ(e->path, (std::vector<std::string>{"file:/a#direct_owner@user:alice",
                                               "file:/a/b#parent@file:/a"}));
  e = rebac_->Explain(kTenant, kBob, "read", File("/a/b"));
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->allowed);
  EXPECT_FALSE(e->reason.empty());

  Write(Grant(SubjectRef::Wildcard(), "direct_viewer", File("/a/pub")));
  auto subjects = rebac_->Expand(kTenant, "read", File("/a/pub/x"));
  ASSERT_TRUE(subjects.ok());
  EXPECT_EQ(*subjects, (std::vector<SubjectRef>{SubjectRef::Wildcard(), kAlice}));
}

TEST_P(RebacTest, DepthLimitThroughTheFacade) {
  std::unique_ptr<Rebac> shallow =
      NewRebac(*store_.engine, Options(/*max_depth=*/3, /*reload_after=*/10000));
  Write(Grant(kAlice, "direct_owner", File("/a")));
  EXPECT_TRUE(Allowed(kAlice, "read", File("/a/b/c/d"), shallow.get()));  // 3 hops
  auto r = shallow->Check(kTenant, kAlice, "read", File("/a/b/c/d/e"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_NE(r.status().message().find("exceeded depth limit 3 at file:/a#"), std::string::npos)
      << r.status().message();
}

TEST_P(RebacTest, ChangelogRecordsEveryChange) {
  const std::string id = Write(Grant(kAlice, "direct_owner", File("/a")));
  ASSERT_TRUE(rebac_->RenameObjects(kTenant, "file", "/a", "/b").ok());
  ASSERT_TRUE(rebac_->DeleteTuple(kTenant, id).ok());
  ASSERT_TRUE(rebac_->CreateNamespace(kTenant, "doc", R"({"relations": {"r": {}}})").ok());
  std::vector<Change> changes;
  ASSERT_TRUE(store_.engine
                  ->Read([&](Tx& tx) -> Status {
                    ASSIGN_OR_RETURN(changes, ReadChanges(tx, kTenant, 0, 100));
                    return Status::OK();
                  })
                  .ok());
  ASSERT_EQ(changes.size(), 5u);
  const std::vector<ChangeOp> ops = {ChangeOp::kWrite, ChangeOp::kDelete, ChangeOp::kWrite,
                                     ChangeOp::kDelete, ChangeOp::kNamespace};
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].revision, static_cast<int64_t>(i + 1));
    EXPECT_EQ(changes[i].op, ops[i]) << i;
  }
  EXPECT_EQ(changes[1].tuple.object.id, "/a");
  EXPECT_EQ(changes[2].tuple.object.id, "/b");
  EXPECT_EQ(changes[2].tuple.tuple_id, id);
  EXPECT_EQ(changes[4].tuple.object.type, "doc");
}

INSTANTIATE_TEST_SUITE_P(Engines, RebacTest,
                         ::testing::Values(EngineKind::kSqlite, EngineKind::kPostgres),
                         test::EngineKindName());

}  // namespace
}  // namespace nexus::rebac

// Namespace configurations: parsing, validation, the defaults; names and file parents.
#include "rebac/namespace_config.h"

#include <gtest/gtest.h>

#include <string>

#include "rebac/default_namespaces.h"
#include "rebac/names.h"
#include "rebac/namespace_set.h"
#include "rebac/refs.h"

namespace nexus::rebac {
namespace {

constexpr char kSample[] = R"({
  "relations": {
    "direct_owner": {},
    "parent": {},
    "owner": {"union": ["direct_owner", "parent_owner"]},
    "parent_owner": {"tupleToUserset": {"tupleset": "parent", "computedUserset": "owner"}}
  },
  "permissions": {"read": ["owner"], "execute": ["owner"]}
})";

Status ParseError(const std::string& json) { return ParseNamespaceConfig(json).status(); }

TEST(NamespaceConfigTest, ParsesTheDocumentedForm) {
  auto config = ParseNamespaceConfig(kSample);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->relations.size(), 4u);
  EXPECT_EQ(config->FindRelation("direct_owner")->kind, RelationDef::Kind::kDirect);
  const RelationDef* owner = config->FindRelation("owner");
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->kind, RelationDef::Kind::kUnion);
  EXPECT_EQ(owner->children, (std::vector<std::string>{"direct_owner", "parent_owner"}));
  const RelationDef* arrow = config->FindRelation("parent_owner");
  EXPECT_EQ(arrow->kind, RelationDef::Kind::kTupleToUserset);
  EXPECT_EQ(arrow->tupleset, "parent");
  EXPECT_EQ(arrow->computed_userset, "owner");
  EXPECT_EQ(config->permissions.at("read"), std::vector<std::string>{"owner"});
}

TEST(NamespaceConfigTest, JsonRoundTrips) {
  auto config = ParseNamespaceConfig(kSample);
  ASSERT_TRUE(config.ok());
  auto again = ParseNamespaceConfig(NamespaceConfigToJson(*config));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *config);
}

TEST(NamespaceConfigTest, PermissionsAreOptional) {
  auto config = ParseNamespaceConfig(R"({"relations": {"member": {}}})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->permissions.empty());
}

TEST(NamespaceConfigTest, RejectsMalformedJson) {
  Status s = ParseError("{\"relations\": ");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("not valid JSON"), std::string::npos) << s.message();
  EXPECT_EQ(ParseError("[]").code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseError("{}").code(), Code::kInvalidArgument);  // no relations
  EXPECT_EQ(ParseError(R"({"relations": []})").code(), Code::kInvalidArgument);
}

TEST(NamespaceConfigTest, RejectsUnknownKeys) {
  Status s = ParseError(R"({"relations": {}, "extra": 1})");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'extra'"), std::string::npos) << s.message();
  s = ParseError(R"({"relations": {"a": {"intersection": ["b"]}}})");
  EXPECT_NE(s.message().find("'intersection'"), std::string::npos) << s.message();
  s = ParseError(R"({"relations": {"p": {}, "a": {"tupleToUserset":
      {"tupleset": "p", "computedUserset": "x", "more": 1}}}})");
  EXPECT_NE(s.message().find("'more'"), std::string::npos) << s.message();
}

TEST(NamespaceConfigTest, RejectsUnknownReferences) {
  Status s = ParseError(R"({"relations": {"a": {"union": ["b"]}}})");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown relation 'b'"), std::string::npos) << s.message();
  s = ParseError(R"({"relations": {"a": {"tupleToUserset":
      {"tupleset": "nope", "computedUserset": "x"}}}})");
  EXPECT_NE(s.message().find("unknown relation 'nope'"), std::string::npos) << s.message();
  s = ParseError(R"({"relations": {"a": {}}, "permissions": {"read": ["b"]}})");
  EXPECT_NE(s.message().find("unknown relation 'b'"), std::string::npos) << s.message();
}

TEST(NamespaceConfigTest, TuplesetMustBeDirect) {
  Status s = ParseError(R"({"relations": {"a": {}, "u": {"union": ["a"]},
      "t": {"tupleToUserset": {"tupleset": "u", "computedUserset": "x"}}}})");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("must be a direct relation"), std::string::npos) << s.message();
}

TEST(NamespaceConfigTest, RejectsBadShapes) {
  EXPECT_EQ(ParseError(R"({"relations": {"a": {"union": []}}})").code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseError(R"({"relations": {"a": {"union": [1]}}})").code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseError(R"({"relations": {"a": "direct"}})").code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseError(R"({"relations": {"a": {}}, "permissions": {"r": []}})").code(),
            Code::kInvalidArgument);
  EXPECT_EQ(ParseError(R"({"relations": {"a": {}, "b": {"union": ["a"],
      "tupleToUserset": {"tupleset": "a", "computedUserset": "a"}}}})")
                .code(),
            Code::kInvalidArgument);
}

TEST(NamespaceConfigTest, RejectsBadNames) {
  for (const char* json : {R"({"relations": {"Owner": {}}})", R"({"relations": {"a b": {}}})",
                           R"({"relations": {"": {}}})",
                           R"({"relations": {"a": {}}, "permissions": {"READ": ["a"]}})"}) {
    Status s = ParseError(json);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << json;
    EXPECT_NE(s.message().find("invalid"), std::string::npos) << s.message();
  }
  const std::string long_name(65, 'a');
  EXPECT_EQ(ParseError(R"({"relations": {")" + long_name + R"(": {}}})").code(),
            Code::kInvalidArgument);
  const std::string max_name(64, 'a');
  EXPECT_TRUE(ParseNamespaceConfig(R"({"relations": {")" + max_name + R"(": {}}})").ok());
}

TEST(DefaultNamespacesTest, AreValidAndComplete) {
  for (const char* type :
       {"file", "group", "memory", "playbook", "trajectory", "skill", "tenant", "user", "agent"}) {
    const NamespaceConfig* config = FindDefaultNamespace(type);
    ASSERT_NE(config, nullptr) << type;
    EXPECT_TRUE(ValidateNamespaceConfig(*config).ok()) << type;
    auto again = ParseNamespaceConfig(NamespaceConfigToJson(*config));
    ASSERT_TRUE(again.ok()) << type << ": " << again.status().ToString();
    EXPECT_EQ(*again, *config) << type;
  }
  EXPECT_EQ(FindDefaultNamespace("nope"), nullptr);
}

TEST(DefaultNamespacesTest, FileFollowsTheSpec) {
  const NamespaceConfig& file = *FindDefaultNamespace("file");
  EXPECT_EQ(file.permissions.at("read"), (std::vector<std::string>{"editor", "viewer", "owner"}));
  EXPECT_EQ(file.permissions.at("write"), (std::vector<std::string>{"editor", "owner"}));
  EXPECT_EQ(file.permissions.at("execute"), std::vector<std::string>{"owner"});
  EXPECT_EQ(
      file.FindRelation("owner")->children,
      (std::vector<std::string>{"direct_owner", "parent_owner", "group_owner", "shared-owner"}));
  EXPECT_EQ(file.FindRelation("viewer")->children,
            (std::vector<std::string>{"direct_viewer", "parent_viewer", "group_viewer",
                                      "shared-viewer", "shared-editor", "shared-owner"}));
  const RelationDef* group_viewer = file.FindRelation("group_viewer");
  EXPECT_EQ(group_viewer->tupleset, "direct_viewer");
  EXPECT_EQ(group_viewer->computed_userset, "member");
  EXPECT_EQ(file.FindRelation("parent_editor")->computed_userset, "editor");
  const NamespaceConfig& skill = *FindDefaultNamespace("skill");
  EXPECT_EQ(skill.FindRelation("tenant_member")->tupleset, "tenant");
  EXPECT_EQ(skill.permissions.at("fork"), skill.permissions.at("read"));
}

TEST(NamespaceSetTest, CustomOverridesDefaultAndPermissionsResolve) {
  NamespaceSet set;
  auto rels = set.PermissionRelations("file", "write");
  ASSERT_TRUE(rels.ok());
  EXPECT_EQ(*rels, (std::vector<std::string>{"editor", "owner"}));
  rels = set.PermissionRelations("file", "direct_owner");  // a relation used as permission
  ASSERT_TRUE(rels.ok());
  EXPECT_EQ(*rels, std::vector<std::string>{"direct_owner"});
  Status s = set.PermissionRelations("file", "fly").status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'fly'"), std::string::npos);
  EXPECT_NE(s.message().find("'file'"), std::string::npos);
  s = set.PermissionRelations("spaceship", "read").status();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown object type 'spaceship'"), std::string::npos);

  set.SetCustom("file", *ParseNamespaceConfig(R"({"relations": {"x": {}}})"));
  EXPECT_EQ(set.Find("file")->relations.size(), 1u);
  set.EraseCustom("file");
  EXPECT_EQ(set.Find("file"), FindDefaultNamespace("file"));
}

TEST(NamesTest, ValidNames) {
  EXPECT_TRUE(IsValidName("shared-viewer"));
  EXPECT_TRUE(IsValidName("direct_owner2"));
  EXPECT_FALSE(IsValidName(""));
  EXPECT_FALSE(IsValidName("Owner"));
  EXPECT_FALSE(IsValidName("a.b"));
  EXPECT_FALSE(IsValidName(std::string(65, 'a')));
}

TEST(NamesTest, ObjectsAndSubjects) {
  EXPECT_TRUE(CheckObject({"file", "/a/b"}).ok());
  EXPECT_EQ(CheckObject({"file", "/a//b"}).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckObject({"file", "a/b"}).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckObject({"file", "/"}).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckObject({"file", "/a/"}).code(), Code::kInvalidArgument);
  EXPECT_TRUE(CheckObject({"agent", "alice,bot1"}).ok());
  EXPECT_EQ(CheckObject({"group", ""}).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckObject({"group", std::string("a\nb")}).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckObject({"Group", "eng"}).code(), Code::kInvalidArgument);
  EXPECT_TRUE(CheckSubject(SubjectRef::Wildcard()).ok());
  EXPECT_EQ(CheckSubject({"*", "alice"}).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckSubject({"user", "*"}).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckSubject({"*", "*", "member"}).code(), Code::kInvalidArgument);
  EXPECT_TRUE(CheckSubject({"group", "eng", "member"}).ok());
  EXPECT_EQ(CheckSubject({"group", "eng", "Member"}).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckTenant("").code(), Code::kInvalidArgument);
}

TEST(RefsTest, FileParentsFollowPaths) {
  std::string parent;
  ASSERT_TRUE(FileParent("/a/b/c", &parent));
  EXPECT_EQ(parent, "/a/b");
  ASSERT_TRUE(FileParent("/a/b", &parent));
  EXPECT_EQ(parent, "/a");
  EXPECT_FALSE(FileParent("/a", &parent));  // never the root
  EXPECT_FALSE(FileParent("/", &parent));
  EXPECT_FALSE(FileParent("a/b", &parent));
  EXPECT_EQ(ToString(SubjectRef{"group", "eng", "member"}), "group:eng#member");
  EXPECT_EQ(ToString(SubjectRef::Wildcard()), "*:*");
  EXPECT_EQ(ToString(ObjectRef{"file", "/a"}), "file:/a");
}

}  // namespace
}  // namespace nexus::rebac

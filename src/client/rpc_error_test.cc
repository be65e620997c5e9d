#include "client/rpc_error.h"

#include <gtest/gtest.h>

namespace nexus::client {
namespace {

Status Of(std::string_view json) {
  StatusOr<Value> v = ParseJson(json);
  EXPECT_TRUE(v.ok());
  return StatusFromRpcError(*v);
}

TEST(RpcError, MapsTheServersCodesAndKeepsItsMessage) {
  const Status s = Of(R"({"code": -32000, "message": "File not found: /a"})");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "File not found: /a");
  EXPECT_EQ(s.detail("rpc_code"), "-32000");
  EXPECT_EQ(Of(R"({"code": -32001, "message": "m"})").code(), Code::kAlreadyExists);
  EXPECT_EQ(Of(R"({"code": -32002, "message": "m"})").code(), Code::kInvalidPath);
  EXPECT_EQ(Of(R"({"code": -32004, "message": "m"})").code(), Code::kPermissionDenied);
  EXPECT_EQ(Of(R"({"code": -32005, "message": "m"})").code(), Code::kValidation);
  EXPECT_EQ(Of(R"({"code": -32602, "message": "m"})").code(), Code::kInvalidArgument);
  EXPECT_EQ(Of(R"({"code": -32603, "message": "Internal error: boom"})").code(), Code::kInternal);
}

TEST(RpcError, ConflictCarriesItsData) {
  const Status s = Of(R"({"code": -32006, "message": "Conflict detected",
                          "data": {"path": "/f", "expected_etag": "e1", "current_etag": "e2"}})");
  EXPECT_EQ(s.code(), Code::kConflict);
  EXPECT_EQ(s.detail("path"), "/f");
  EXPECT_EQ(s.detail("expected_etag"), "e1");
  EXPECT_EQ(s.detail("current_etag"), "e2");
}

TEST(RpcError, TheServersDataCannotReplaceTheClientsDetails) {
  const Status s =
      Of(R"({"code": -32000, "message": "m", "data": {"rpc_code": "0", "http_status": "200"}})");
  EXPECT_EQ(s.detail("rpc_code"), "-32000");
  EXPECT_EQ(s.detail("http_status"), "");
}

TEST(RpcError, TheReferencesInternalAccessDenialIsAPermissionError) {
  EXPECT_EQ(
      Of(R"({"code": -32603, "message": "Internal error: Access denied: User 'a' does not have WRITE permission for '/x'"})")
          .code(),
      Code::kPermissionDenied);
}

TEST(RpcError, AnErrorWithoutAMessageStillSaysSomething) {
  const Status s = Of(R"({"code": 12})");
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message(), "the server reported error 12");
}

}  // namespace
}  // namespace nexus::client

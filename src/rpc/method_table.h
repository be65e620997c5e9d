// The method table: RPC name -> parameter schema -> handler. Internal to rpc/.
#ifndef NEXUS_RPC_METHOD_TABLE_H_
#define NEXUS_RPC_METHOD_TABLE_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rpc/call_context.h"
#include "rpc/params.h"

namespace nexus::rpc {

// What a handler returns: the `result` value, plus HTTP headers for the response (ETag) and
// whether the answer is "304 Not Modified".
struct MethodResult {
  Json result;
  std::vector<std::pair<std::string, std::string>> headers;
  bool not_modified = false;

  // The result already written as wire JSON text, sent in place of `result` when not empty:
  // a long listing written straight to text skips building and freeing a Json tree, which
  // was most of its cost.
  std::string encoded_result;

  MethodResult(Json r = nullptr) : result(std::move(r)) {}  // NOLINT: implicit by design
  static MethodResult Encoded(std::string text) {
    MethodResult encoded;
    encoded.encoded_result = std::move(text);
    return encoded;
  }
};

using Handler = std::function<StatusOr<MethodResult>(const Params&, CallContext&)>;

struct Method {
  std::string name;
  std::vector<ParamSpec> params;
  Handler handler;
  std::string cache_control;  // the Cache-Control of a successful answer (api.md §3.4)
};

class MethodTable {
 public:
  void Add(Method method);
  const Method* Find(const std::string& name) const;
  std::vector<std::string> Names() const;  // sorted

 private:
  std::map<std::string, Method> methods_;
};

// Runs `method`'s handler; an exception it throws becomes kInternal.
StatusOr<MethodResult> RunMethod(const Method& method, const Params& params, CallContext& ctx);

// Cache-Control values of api.md §3.4.
inline constexpr const char* kCacheRead = "private, max-age=60";
inline constexpr const char* kCacheList = "private, max-age=30";
inline constexpr const char* kCacheNoStore = "no-store";
inline constexpr const char* kCacheDefault = "private, no-cache";

// Each group of methods registers itself.
void AddFileMethods(MethodTable& table);
void AddUploadMethods(MethodTable& table);
void AddVersionMethods(MethodTable& table);
void AddAdminMethods(MethodTable& table);
void AddRebacMethods(MethodTable& table);
void AddSandboxMethods(MethodTable& table);
void AddAgentMethods(MethodTable& table);
void AddMemoryMethods(MethodTable& table);
void AddLearningMethods(MethodTable& table);
void AddWorkspaceMethods(MethodTable& table);
void AddMountMethods(MethodTable& table);
void AddSkillMethods(MethodTable& table);
void AddOAuthMethods(MethodTable& table);
void AddExposedMethods(MethodTable& table);
void AddOutsideServiceMethods(MethodTable& table);
void AddMcpMethods(MethodTable& table);

}  // namespace nexus::rpc

#endif  // NEXUS_RPC_METHOD_TABLE_H_

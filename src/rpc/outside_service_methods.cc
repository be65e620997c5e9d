// Methods that need a service this server does not have (api.md §6.1, §6.10): semantic
// search (an embedding provider), LLM reads (an LLM provider) and mcp_connect (Klavis). Each
// validates its parameters like any method and then answers -32005 naming what is missing,
// never -32601.
#include "rpc/method_table.h"

namespace nexus::rpc {
namespace {

using P = ParamType;

constexpr char kNoEmbeddings[] =
    "semantic search needs an embedding provider; none is configured (semantic_search.provider)";
constexpr char kNoLlm[] = "LLM reads need an LLM provider; none is configured (llm.provider)";

Handler Missing(const char* what) {
  return [what](const Params&, CallContext&) -> StatusOr<MethodResult> {
    return Status(Code::kValidation, what);
  };
}

// A path parameter is checked (form, tenancy, read permission) before the service is missed.
Handler MissingForPath(const char* what) {
  return [what](const Params& p, CallContext& ctx) -> StatusOr<MethodResult> {
    RETURN_IF_ERROR(ctx.session.Authorize(p.Str("path"), session::Access::kRead).status());
    return Status(Code::kValidation, what);
  };
}

StatusOr<MethodResult> McpConnect(const Params& p, CallContext&) {
  return Status(Code::kValidation, "mcp_connect to '" + p.Str("provider") +
                                       "' needs Klavis: the environment variable KLAVIS_API_KEY "
                                       "is not set on the server");
}

}  // namespace

void AddOutsideServiceMethods(MethodTable& t) {
  const auto path = Required("path", P::kString);
  const auto prompt = Required("prompt", P::kString);
  const auto model = Optional("model", P::kString);
  const auto max_tokens = Optional("max_tokens", P::kInt, 1000);
  const auto use_search = Optional("use_search", P::kBool, false);
  const auto search_mode = Optional("search_mode", P::kString, "semantic");
  t.Add({"semantic_search",
         {Required("query", P::kString), Optional("path", P::kString, "/"),
          Optional("limit", P::kInt, 10), Optional("filters", P::kObject),
          Optional("search_mode", P::kString, "semantic")},
         Missing(kNoEmbeddings),
         kCacheDefault});
  t.Add({"semantic_search_index",
         {Optional("path", P::kString, "/"), Optional("recursive", P::kBool, true)},
         Missing(kNoEmbeddings),
         kCacheDefault});
  t.Add({"semantic_search_stats", {}, Missing(kNoEmbeddings), kCacheDefault});
  t.Add(
      {"initialize_semantic_search",
       {Optional("embedding_provider", P::kString), Optional("embedding_model", P::kString),
        Optional("api_key", P::kString), Optional("chunk_size", P::kInt, 1024),
        Optional("chunk_strategy", P::kString, "semantic"), Optional("async_mode", P::kBool, true)},
       Missing(kNoEmbeddings),
       kCacheDefault});
  t.Add({"llm_read",
         {path, prompt, model, max_tokens, use_search, search_mode},
         MissingForPath(kNoLlm),
         kCacheDefault});
  t.Add({"llm_read_detailed",
         {path, prompt, model, max_tokens, use_search, search_mode,
          Optional("search_limit", P::kInt, 10), Optional("include_citations", P::kBool, true)},
         MissingForPath(kNoLlm),
         kCacheDefault});
  t.Add({"llm_read_stream",
         {path, prompt, model, max_tokens, use_search},
         MissingForPath(kNoLlm),
         kCacheDefault});
  t.Add({"create_llm_reader",
         {Optional("provider", P::kString), model, Optional("api_key", P::kString),
          Optional("system_prompt", P::kString), Optional("max_context_tokens", P::kInt, 3000)},
         Missing(kNoLlm),
         kCacheDefault});
  t.Add({"mcp_connect",
         {Required("provider", P::kString), Optional("redirect_url", P::kString),
          Optional("user_email", P::kString), Optional("reuse_nexus_token", P::kBool, true)},
         McpConnect,
         kCacheDefault});
}

}  // namespace nexus::rpc

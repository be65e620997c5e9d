// The MCP tools (spec/mcp.md): the reference's names, parameters and text results, each a
// thin mapping onto the server's methods (MethodCaller), plus the input and output schemas,
// structured results and annotations of the current MCP specification. Internal to rpc/mcp/.
#ifndef NEXUS_RPC_MCP_TOOLS_H_
#define NEXUS_RPC_MCP_TOOLS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rpc/mcp/method_caller.h"
#include "rpc/params.h"

namespace nexus::rpc::mcp {

struct ToolParam {
  ParamSpec spec;
  std::string description;
};

// What a tool answers: text for every reader, and the same as a JSON object for clients that
// read structuredContent (null when the result is only text).
struct ToolOutput {
  std::string text;
  Json structured;
};

struct ToolHints {
  bool read_only = false;
  bool destructive = false;
  bool idempotent = false;
};

using ToolRun = std::function<StatusOr<ToolOutput>(const Params&, const MethodCaller&)>;

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  std::vector<ToolParam> params;
  Json output_schema;  // null: the result is text only
  ToolHints hints;
  ToolRun run;
  std::vector<ParamSpec> specs = {};  // params' specs, made once by ToolSet::Add
};

class ToolSet {
 public:
  ToolSet();  // every tool of spec/mcp.md

  // The result of tools/list.
  Json List() const;

  // The result of tools/call: the tool's output, or an isError result saying why it failed
  // (bad arguments included, so a model can correct itself). kNotFound for a tool that does
  // not exist, which is the request's error rather than the tool's.
  StatusOr<Json> Call(const std::string& name, Json arguments, const MethodCaller& caller) const;

  void Add(Tool tool);

 private:
  std::map<std::string, Tool> tools_;
};

void AddFileTools(ToolSet& tools);
void AddAgentTools(ToolSet& tools);  // memory, workflows, sandboxes

// What the tools share.
inline constexpr int64_t kMaxPageItems = 1000;
// Offsets (of pages, and of bytes in nexus_read_file) past any real tree or file, and far from
// where offset + limit would overflow.
inline constexpr int64_t kMaxOffset = int64_t{1} << 50;

// A page of `items` (spec/mcp.md "paged") as text in `format` ("json" or "markdown") and as a
// structured object. `total` when it is known without reading on.
ToolOutput Paged(Json items, std::optional<int64_t> total, int64_t offset, bool has_more,
                 const std::string& format);
// The output schema of a paged result whose items have `item_schema`.
Json PagedSchema(Json item_schema);
// A tool's text result that is a JSON value, with the value as its structured result when it
// is an object.
ToolOutput JsonOutput(Json value);
// A plain text result.
ToolOutput TextOutput(std::string text);
// kInvalidArgument unless 1 <= limit <= kMaxPageItems and 0 <= offset <= kMaxOffset.
Status CheckPage(int64_t limit, int64_t offset);

}  // namespace nexus::rpc::mcp

#endif  // NEXUS_RPC_MCP_TOOLS_H_

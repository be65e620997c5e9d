// The tools of spec/mcp.md for memory, workflows and sandboxes.
#include <cstdio>

#include "rpc/mcp/tools.h"
#include "util/utf8.h"

namespace nexus::rpc::mcp {
namespace {

using P = ParamType;

constexpr ToolHints kChange{.read_only = false, .destructive = false, .idempotent = false};
constexpr ToolHints kReader{.read_only = true, .destructive = false, .idempotent = true};
// Code runs with the sandbox's own limits; the reference's MCP tools give it 300 s.
constexpr int kRunTimeoutSeconds = 300;

StatusOr<ToolOutput> StoreMemory(const Params& p, const MethodCaller& c) {
  const std::string content = p.Str("content");
  Json params{{"content", content}};
  if (p.Has("memory_type")) params["memory_type"] = p.Str("memory_type");
  RETURN_IF_ERROR(c.Call("store_memory", std::move(params)).status());
  return TextOutput("Successfully stored memory: " + std::string(Utf8Prefix(content, 80)) + "...");
}

StatusOr<ToolOutput> QueryMemory(const Params& p, const MethodCaller& c) {
  Json params{{"query", p.Str("query")}, {"limit", p.Int("limit")}};
  if (p.Has("memory_type")) params["memory_type"] = p.Str("memory_type");
  ASSIGN_OR_RETURN(Json found, c.Call("query_memories", std::move(params)));
  ToolOutput out{EncodeWire(found["memories"]), nullptr};
  out.structured = Json{{"memories", std::move(found["memories"])}};
  return out;
}

// Nexus has no workflow engine (DESIGN.md): say so rather than answer an empty list that
// would read as "none defined yet".
StatusOr<ToolOutput> NoWorkflows(const Params&, const MethodCaller&) {
  return Status(Code::kValidation,
                "this Nexus server has no workflow engine, so there are no workflows");
}

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3fs", seconds);
  return text;
}

// The reference's text form of a run: blocks joined by blank lines.
std::string RunText(const Json& run) {
  std::string text;
  const auto block = [&text](const std::string& part) {
    if (!text.empty()) text += "\n\n";
    text += part;
  };
  if (!run["stdout"].get<std::string>().empty())
    block("Output:\n" + run["stdout"].get<std::string>());
  if (!run["stderr"].get<std::string>().empty())
    block("Errors:\n" + run["stderr"].get<std::string>());
  block("Exit code: " + std::to_string(run["exit_code"].get<int64_t>()));
  block("Execution time: " + Seconds(run["execution_time"].get<double>()));
  return text;
}

ToolRun RunIn(const char* language, const char* code_param) {
  return [language, code_param](const Params& p, const MethodCaller& c) -> StatusOr<ToolOutput> {
    ASSIGN_OR_RETURN(Json run, c.Call("sandbox_run", Json{{"sandbox_id", p.Str("sandbox_id")},
                                                          {"language", language},
                                                          {"code", p.Str(code_param)},
                                                          {"timeout", kRunTimeoutSeconds}}));
    std::string text = RunText(run);
    return ToolOutput{std::move(text), std::move(run)};
  };
}

StatusOr<ToolOutput> SandboxCreate(const Params& p, const MethodCaller& c) {
  ASSIGN_OR_RETURN(Json record,
                   c.Call("sandbox_create",
                          Json{{"name", p.Str("name")}, {"ttl_minutes", p.Int("ttl_minutes")}}));
  return JsonOutput(std::move(record));
}

StatusOr<ToolOutput> SandboxList(const Params&, const MethodCaller& c) {
  ASSIGN_OR_RETURN(Json found, c.Call("sandbox_list", Json::object()));
  ToolOutput out{EncodeWire(found["sandboxes"]), nullptr};
  out.structured = std::move(found);
  return out;
}

StatusOr<ToolOutput> SandboxStop(const Params& p, const MethodCaller& c) {
  RETURN_IF_ERROR(c.Call("sandbox_stop", Json{{"sandbox_id", p.Str("sandbox_id")}}).status());
  return TextOutput("Successfully stopped sandbox " + p.Str("sandbox_id"));
}

Json ListOf(const char* key) {
  return Json{{"type", "object"},
              {"properties", {{key, {{"type", "array"}, {"items", {{"type", "object"}}}}}}},
              {"required", {key}}};
}

Json RunSchema() {
  return Json{{"type", "object"},
              {"properties",
               {{"stdout", {{"type", "string"}}},
                {"stderr", {{"type", "string"}}},
                {"exit_code", {{"type", "integer"}}},
                {"execution_time", {{"type", "number"}}}}},
              {"required", {"stdout", "stderr", "exit_code", "execution_time"}}};
}

ToolParam SandboxId() { return {Required("sandbox_id", P::kString), "The sandbox to use."}; }

}  // namespace

void AddAgentTools(ToolSet& tools) {
  tools.Add({"nexus_store_memory",
             "Store memory",
             "Remember a fact, preference or experience for later.",
             {{Required("content", P::kString), "What to remember."},
              {Optional("memory_type", P::kString), "fact, preference, experience, ..."}},
             nullptr,
             kChange,
             StoreMemory});
  tools.Add({"nexus_query_memory",
             "Query memory",
             "Memories matching a query.",
             {{Required("query", P::kString), "What to look for."},
              {Optional("memory_type", P::kString), "Only memories of this type."},
              {Optional("limit", P::kInt, 5), "How many memories at most."}},
             ListOf("memories"),
             kReader,
             QueryMemory});
  tools.Add({"nexus_list_workflows",
             "List workflows",
             "The workflows this server can run.",
             {},
             nullptr,
             kReader,
             NoWorkflows});
  tools.Add({"nexus_execute_workflow",
             "Execute workflow",
             "Run a workflow by name.",
             {{Required("name", P::kString), "The workflow."},
              {Optional("inputs", P::kString), "Its inputs, as JSON text."}},
             nullptr,
             {.read_only = false, .destructive = true, .idempotent = false},
             NoWorkflows});
  tools.Add({"nexus_python",
             "Run Python",
             "Run Python code in a sandbox (300 s at most) and give its output.",
             {{Required("code", P::kString), "The program."}, SandboxId()},
             RunSchema(),
             {.read_only = false, .destructive = true, .idempotent = false},
             RunIn("python", "code")});
  tools.Add({"nexus_bash",
             "Run a shell command",
             "Run a bash command in a sandbox (300 s at most) and give its output.",
             {{Required("command", P::kString), "The command."}, SandboxId()},
             RunSchema(),
             {.read_only = false, .destructive = true, .idempotent = false},
             RunIn("bash", "command")});
  tools.Add({"nexus_sandbox_create",
             "Create sandbox",
             "Create a sandbox to run code in.",
             {{Required("name", P::kString), "A name for it, unique among yours."},
              {Optional("ttl_minutes", P::kInt, 10), "Idle minutes before it stops itself."}},
             nullptr,
             kChange,
             SandboxCreate});
  tools.Add({"nexus_sandbox_list",
             "List sandboxes",
             "Your sandboxes.",
             {},
             ListOf("sandboxes"),
             kReader,
             SandboxList});
  tools.Add({"nexus_sandbox_stop",
             "Stop sandbox",
             "Stop a sandbox and free what it holds.",
             {SandboxId()},
             nullptr,
             {.read_only = false, .destructive = true, .idempotent = true},
             SandboxStop});
}

}  // namespace nexus::rpc::mcp

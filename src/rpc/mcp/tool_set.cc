#include <utility>

#include "rpc/mcp/tools.h"

namespace nexus::rpc::mcp {
namespace {

Json TypeSchema(const ParamSpec& spec) {
  Json schema;
  switch (spec.type) {
    case ParamType::kString:
    case ParamType::kBytes:
      schema["type"] = "string";
      break;
    case ParamType::kBool:
      schema["type"] = "boolean";
      break;
    case ParamType::kInt:
      schema["type"] = "integer";
      break;
    case ParamType::kNumber:
      schema["type"] = "number";
      break;
    case ParamType::kStringList:
      schema = Json{{"type", "array"}, {"items", {{"type", "string"}}}};
      break;
    case ParamType::kArray:
      schema["type"] = "array";
      break;
    case ParamType::kObject:
      schema["type"] = "object";
      break;
    case ParamType::kTimedelta:
    case ParamType::kAny:
      return Json::object();
  }
  // An optional parameter whose default is "none" may also be given as null.
  if (!spec.required && spec.default_value.is_null() && spec.nullable)
    schema["type"] = Json::array({schema["type"], "null"});
  if (!spec.default_value.is_null()) schema["default"] = spec.default_value;
  return schema;
}

Json InputSchema(const std::vector<ToolParam>& params) {
  Json properties = Json::object();
  Json required = Json::array();
  for (const ToolParam& p : params) {
    Json schema = TypeSchema(p.spec);
    schema["description"] = p.description;
    properties[p.spec.name] = std::move(schema);
    if (p.spec.required) required.push_back(p.spec.name);
  }
  Json schema{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = std::move(required);
  schema["additionalProperties"] = false;
  return schema;
}

Json Describe(const Tool& tool) {
  Json out{{"name", tool.name},
           {"title", tool.title},
           {"description", tool.description},
           {"inputSchema", InputSchema(tool.params)},
           {"annotations",
            {{"title", tool.title},
             {"readOnlyHint", tool.hints.read_only},
             {"destructiveHint", tool.hints.destructive},
             {"idempotentHint", tool.hints.idempotent},
             {"openWorldHint", true}}}};
  if (!tool.output_schema.is_null()) out["outputSchema"] = tool.output_schema;
  return out;
}

Json TextContent(std::string text) {
  return Json::array({Json{{"type", "text"}, {"text", std::move(text)}}});
}

// The reference answers failures as text starting with "Error:"; isError says it to MCP
// clients that look for it.
Json ErrorResult(const Status& status) {
  return Json{{"content", TextContent("Error: " + status.message())}, {"isError", true}};
}

std::string MarkdownItem(const Json& item) {
  if (item.is_string()) return "- " + item.get<std::string>() + "\n";
  if (!item.is_object()) return "- " + EncodeWire(item) + "\n";
  std::string line = "-";
  for (const auto& [key, value] : item.items())
    line += " **" + key +
            "**: " + (value.is_string() ? value.get<std::string>() : EncodeWire(value)) + ";";
  line.back() = '\n';
  return line;
}

std::string Markdown(const Json& page) {
  std::string text = "Showing " + std::to_string(page["count"].get<int64_t>()) +
                     " item(s) from offset " + std::to_string(page["offset"].get<int64_t>());
  if (!page["total"].is_null()) text += " of " + std::to_string(page["total"].get<int64_t>());
  text += ".\n\n";
  for (const Json& item : page["items"]) text += MarkdownItem(item);
  if (page["has_more"].get<bool>())
    text += "\nMore results: call again with offset=" +
            std::to_string(page["next_offset"].get<int64_t>()) + ".\n";
  return text;
}

}  // namespace

ToolSet::ToolSet() {
  AddFileTools(*this);
  AddAgentTools(*this);
}

void ToolSet::Add(Tool tool) {
  for (const ToolParam& p : tool.params) tool.specs.push_back(p.spec);
  std::string name = tool.name;
  tools_.insert_or_assign(std::move(name), std::move(tool));
}

Json ToolSet::List() const {
  Json tools = Json::array();
  for (const auto& [name, tool] : tools_) tools.push_back(Describe(tool));
  return Json{{"tools", std::move(tools)}};
}

StatusOr<Json> ToolSet::Call(const std::string& name, Json arguments,
                             const MethodCaller& caller) const {
  const auto it = tools_.find(name);
  if (it == tools_.end()) return NotFound("Unknown tool: " + name);
  const Tool& tool = it->second;
  if (arguments.is_null()) arguments = Json::object();
  if (!arguments.is_object()) return ErrorResult(InvalidArgument("arguments must be an object"));
  StatusOr<Params> bound = Params::Bind(tool.name, tool.specs, std::move(arguments));
  if (!bound.ok()) return ErrorResult(bound.status());
  StatusOr<ToolOutput> output = tool.run(*bound, caller);
  if (!output.ok()) return ErrorResult(output.status());
  Json result{{"content", TextContent(std::move(output->text))}, {"isError", false}};
  if (!output->structured.is_null()) result["structuredContent"] = std::move(output->structured);
  return result;
}

Status CheckPage(int64_t limit, int64_t offset) {
  if (limit < 1 || limit > kMaxPageItems)
    return InvalidArgument("limit must be between 1 and " + std::to_string(kMaxPageItems) +
                           ", got " + std::to_string(limit));
  if (offset < 0)
    return InvalidArgument("offset must not be negative, got " + std::to_string(offset));
  return Status::OK();
}

ToolOutput Paged(Json items, std::optional<int64_t> total, int64_t offset, bool has_more,
                 const std::string& format) {
  const auto count = static_cast<int64_t>(items.size());
  Json page{{"total", total ? Json(*total) : Json(nullptr)},
            {"count", count},
            {"offset", offset},
            {"items", std::move(items)},
            {"has_more", has_more},
            {"next_offset", has_more ? Json(offset + count) : Json(nullptr)}};
  std::string text = format == "markdown" ? Markdown(page) : EncodeWire(page);
  return ToolOutput{std::move(text), std::move(page)};
}

Json PagedSchema(Json item_schema) {
  const Json count{{"type", "integer"}};
  const Json optional_count{{"type", Json::array({"integer", "null"})}};
  return Json{{"type", "object"},
              {"properties",
               {{"total", optional_count},
                {"count", count},
                {"offset", count},
                {"items", {{"type", "array"}, {"items", std::move(item_schema)}}},
                {"has_more", {{"type", "boolean"}}},
                {"next_offset", optional_count}}},
              {"required", {"total", "count", "offset", "items", "has_more", "next_offset"}}};
}

ToolOutput JsonOutput(Json value) {
  std::string text = EncodeWire(value);
  return ToolOutput{std::move(text), value.is_object() ? std::move(value) : Json(nullptr)};
}

ToolOutput TextOutput(std::string text) { return ToolOutput{std::move(text), nullptr}; }

}  // namespace nexus::rpc::mcp

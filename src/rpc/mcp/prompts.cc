#include "rpc/mcp/features.h"

namespace nexus::rpc::mcp {
namespace {

std::string DescriptionOf(const Json& skill) {
  const auto it = skill.find("description");
  return it != skill.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

StatusOr<Json> ListPrompts(const MethodCaller& caller) {
  ASSIGN_OR_RETURN(const Json listed, caller.Call("skills_list", Json{{"include_metadata", true}}));
  Json prompts = Json::array();
  for (const Json& skill : listed["skills"]) {
    prompts.push_back(Json{
        {"name", skill["name"]}, {"title", skill["name"]}, {"description", DescriptionOf(skill)}});
  }
  return Json{{"prompts", std::move(prompts)}};
}

StatusOr<Json> GetPrompt(const MethodCaller& caller, const std::string& name) {
  StatusOr<Json> info = caller.Call("skills_info", Json{{"skill_name", name}});
  // An unknown skill is the reference's validation error; to MCP it is an unknown prompt.
  if (info.status().code() == Code::kValidation || info.status().code() == Code::kNotFound)
    return NotFound("Unknown prompt: " + name);
  RETURN_IF_ERROR(info.status());
  ASSIGN_OR_RETURN(const Json read, caller.Call("read", Json{{"path", (*info)["file_path"]}}));
  const auto& bytes = read.get_binary();
  Json message{{"role", "user"},
               {"content", {{"type", "text"}, {"text", std::string(bytes.begin(), bytes.end())}}}};
  return Json{{"description", DescriptionOf(*info)},
              {"messages", Json::array({std::move(message)})}};
}

}  // namespace nexus::rpc::mcp

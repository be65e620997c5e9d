#include "cli/commands/command_helpers.h"

#include "cli/commands/exit_codes.h"

namespace nexus::cli {

using client::Value;

namespace {

int Present(const Remote& r, const Value& answer, const Render& render) {
  if (r.json()) {
    r.PrintJson(answer);
  } else {
    render(answer);
  }
  return kExitOk;
}

}  // namespace

int Show(Remote& r, std::string_view method, Value params, const Render& render, bool idempotent) {
  StatusOr<Value> answer = r.Call(method, std::move(params), idempotent);
  if (!answer.ok()) return r.Fail(answer.status());
  return Present(r, *answer, render);
}

int ShowFirst(Remote& r, std::string_view method, Value params, int limit, const Render& render) {
  StatusOr<Value> answer = r.Call(method, std::move(params), true);
  if (!answer.ok()) return r.Fail(answer.status());
  Value shown = Value::EmptyArray();
  for (const Value& item : answer->AsArray()) {
    if (limit > 0 && static_cast<int>(shown.size()) == limit) break;
    shown.Append(item);
  }
  return Present(r, shown, render);
}

namespace {

bool NothingDone(const Value& answer) {
  if (answer.is_null() || (answer.is_bool() && !answer.AsBool())) return true;
  return answer.is_object() && answer.size() == 1 && answer.AsObject()[0].second.is_bool() &&
         !answer.AsObject()[0].second.AsBool();
}

}  // namespace

int Simple(Remote& r, std::string_view method, Value params, const std::string& note,
           const std::string& missing) {
  StatusOr<Value> answer = r.Call(method, std::move(params));
  if (!answer.ok()) return r.Fail(answer.status());
  if (!missing.empty() && NothingDone(*answer)) return r.Fail(NotFound(missing));
  return Present(r, *answer, [&](const Value&) { r.Note(note); });
}

int UsageError(const Remote& r, const std::string& message) {
  (void)r.Fail(InvalidArgument(message));  // the status is usage, not that of the message
  return kExitUsage;
}

std::string Cell(const Value& value) {
  if (value.is_string()) return value.AsString().empty() ? "-" : value.AsString();
  if (value.is_datetime()) return value.AsString();
  if (value.is_array()) {
    std::string joined;
    for (const Value& item : value.AsArray()) joined += (joined.empty() ? "" : ", ") + Cell(item);
    return joined.empty() ? "-" : joined;
  }
  return value.is_null() ? "-" : client::ToJson(value);
}

std::string Summary(const std::string& text, size_t width) {
  const std::string trimmed = text.substr(0, text.find_last_not_of('\n') + 1);
  const std::string line = trimmed.substr(0, trimmed.find('\n'));
  size_t chars = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    // A UTF-8 continuation byte belongs to the character before it.
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (++chars > width) return line.substr(0, i) + "...";
  }
  return line.size() < trimmed.size() ? line + "..." : line;
}

StatusOr<Value> WhoAmI(client::Client& client) {
  ASSIGN_OR_RETURN(Value who, client.GetJson("/api/auth/whoami"));
  if (!who["authenticated"].AsBool()) {
    return Status(Code::kUnauthenticated,
                  client.options().url + " does not accept " +
                      (client.options().api_key.empty() ? "calls without a key" : "this API key"));
  }
  return who;
}

}  // namespace nexus::cli

#include "rpc/mcp/mcp_events.h"

#include <utility>
#include <vector>

#include "rpc/wire_json.h"
#include "session/session.h"

namespace nexus::rpc::mcp {
namespace {

using Clock = std::chrono::steady_clock;

// A stream that has said nothing for this long gets a comment, so that a client that went
// away is noticed (its write fails) and proxies keep the connection open.
constexpr auto kKeepAlive = std::chrono::seconds(15);

std::string Event(const Json& notification) {
  return "event: message\ndata: " + EncodeWire(notification) + "\n\n";
}

Json Notification(const char* method, Json params) {
  return Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace

McpEvents::McpEvents(session::Services services, PromptsFingerprint prompts,
                     std::chrono::milliseconds poll)
    : services_(services), prompts_(std::move(prompts)), poll_(poll) {
  poller_ = std::thread([this] { PollLoop(); });
}

McpEvents::~McpEvents() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  poller_.join();
}

void McpEvents::Open(const std::string& session, const auth::Identity& caller,
                     std::shared_ptr<McpEventSink> sink) {
  sink->Send(": stream open\n\n");
  std::shared_ptr<McpEventSink> replaced;
  {
    MutexLock lock(&mu_);
    Watch& watch = watches_[session];
    watch.caller = caller;
    replaced = std::exchange(watch.sink, std::move(sink));
    watch.last_sent = Clock::now();
  }
  // One stream per session: the transport lets a server end the older one.
  if (replaced) replaced->Close();
}

std::string McpEvents::EtagOf(const auth::Identity& caller, const std::string& path) const {
  StatusOr<vfs::FileInfo> info = session::Session(services_, caller).Stat(path);
  return info.ok() && !info->is_directory ? info->etag : "";
}

Status McpEvents::Subscribe(const std::string& session, const auth::Identity& caller,
                            const std::string& path, const std::string& uri) {
  StatusOr<vfs::FileInfo> info = session::Session(services_, caller).Stat(path);
  if (!info.ok() && info.status().code() != Code::kNotFound) return info.status();
  const std::string etag = info.ok() ? info->etag : "";
  MutexLock lock(&mu_);
  Watch& watch = watches_[session];
  watch.caller = caller;
  if (!watch.subscribed.contains(uri) && watch.subscribed.size() >= kMaxSubscriptions) {
    return Status(Code::kValidation, "a session subscribes to at most " +
                                         std::to_string(kMaxSubscriptions) + " resources");
  }
  watch.subscribed[uri] = {path, etag};
  return Status::OK();
}

void McpEvents::Unsubscribe(const std::string& session, const std::string& uri) {
  MutexLock lock(&mu_);
  if (const auto it = watches_.find(session); it != watches_.end())
    it->second.subscribed.erase(uri);
}

void McpEvents::End(const std::string& session) {
  std::shared_ptr<McpEventSink> sink;
  {
    MutexLock lock(&mu_);
    const auto it = watches_.find(session);
    if (it == watches_.end()) return;
    sink = std::move(it->second.sink);
    watches_.erase(it);
  }
  if (sink) sink->Close();
}

void McpEvents::PollLoop() {
  for (;;) {
    {
      MutexLock lock(&mu_);
      wake_.WaitFor(&mu_, poll_, [this]() REQUIRES(mu_) { return stopping_; });
      if (stopping_) return;
    }
    PollOnce();
  }
}

// Looks at every open stream's subscriptions and prompts without holding the lock (each look
// reads the database), then sends what changed.
void McpEvents::PollOnce() {
  struct Look {
    std::string session;
    auth::Identity caller;
    std::shared_ptr<McpEventSink> sink;
    std::map<std::string, std::pair<std::string, std::string>> subscribed;
    std::string prompts;
    bool quiet = false;  // nothing sent for kKeepAlive
  };
  std::vector<Look> looks;
  {
    MutexLock lock(&mu_);
    for (const auto& [session, watch] : watches_) {
      if (!watch.sink) continue;
      looks.push_back(Look{session, watch.caller, watch.sink, watch.subscribed, watch.prompts,
                           Clock::now() - watch.last_sent > kKeepAlive});
    }
  }
  for (Look& look : looks) {
    std::vector<std::string> events;
    for (auto& [uri, seen] : look.subscribed) {
      std::string etag = EtagOf(look.caller, seen.first);
      if (etag == seen.second) continue;
      seen.second = std::move(etag);
      events.push_back(Event(Notification("notifications/resources/updated", {{"uri", uri}})));
    }
    std::string prompts = prompts_(look.caller);
    if (!look.prompts.empty() && prompts != look.prompts)
      events.push_back(Event(Notification("notifications/prompts/list_changed", Json::object())));
    if (events.empty() && look.quiet) events.push_back(": keepalive\n\n");
    bool open = true;
    for (const std::string& event : events) open = open && look.sink->Send(event);
    MutexLock lock(&mu_);
    const auto it = watches_.find(look.session);
    if (it == watches_.end() || it->second.sink != look.sink) continue;  // ended or replaced
    Watch& watch = it->second;
    for (const auto& [uri, seen] : look.subscribed) {
      if (const auto sub = watch.subscribed.find(uri); sub != watch.subscribed.end())
        sub->second.second = seen.second;
    }
    watch.prompts = std::move(prompts);
    if (!events.empty()) watch.last_sent = Clock::now();
    if (!open) watch.sink.reset();  // the client went away; a new GET opens another
  }
}

}  // namespace nexus::rpc::mcp

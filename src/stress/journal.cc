#include "stress/journal.h"

#include <fstream>
#include <map>
#include <memory>

#include "client/value.h"
#include "util/mutex.h"

namespace nexus::stress {

using client::Value;

std::string JournalLine(const JournalEntry& entry) {
  return ToJson(Value{{"path", entry.path},
                      {"version", entry.version},
                      {"etag", entry.etag},
                      {"sha256", entry.sha256}});
}

StatusOr<JournalEntry> ParseJournalLine(std::string_view line) {
  const StatusOr<Value> j = client::ParseJson(line);
  const bool valid = j.ok() && (*j)["path"].is_string() &&
                     (*j)["version"].kind() == Value::Kind::kInt && (*j)["etag"].is_string() &&
                     (*j)["sha256"].is_string();
  if (!valid) {
    return InvalidArgument("journal line is not {path, version, etag, sha256}: " +
                           std::string(line.substr(0, 200)));
  }
  return JournalEntry{(*j)["path"].AsString(), (*j)["version"].AsInt(), (*j)["etag"].AsString(),
                      (*j)["sha256"].AsString()};
}

StatusOr<std::vector<JournalEntry>> ReadJournal(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open journal " + path);
  std::vector<JournalEntry> entries;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ASSIGN_OR_RETURN(JournalEntry entry, ParseJournalLine(line));
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<JournalEntry> LatestPerPath(const std::vector<JournalEntry>& entries) {
  std::map<std::string, const JournalEntry*> latest;
  for (const JournalEntry& entry : entries) {
    const JournalEntry*& slot = latest[entry.path];
    if (slot == nullptr || slot->version < entry.version) slot = &entry;
  }
  std::vector<JournalEntry> out;
  out.reserve(latest.size());
  for (const auto& [path, entry] : latest) out.push_back(*entry);
  return out;
}

StatusOr<std::unique_ptr<JournalWriter>> JournalWriter::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) return IOError("cannot open journal " + path + " for appending");
  return std::unique_ptr<JournalWriter>(new JournalWriter(file));
}

JournalWriter::~JournalWriter() { std::fclose(file_); }

Status JournalWriter::Append(const JournalEntry& entry) {
  const std::string line = JournalLine(entry) + "\n";
  MutexLock lock(&mu_);
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    return IOError("cannot append to the journal");
  }
  return Status::OK();
}

}  // namespace nexus::stress

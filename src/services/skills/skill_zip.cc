#include "services/skills/skill_zip.h"

#include <sys/stat.h>
#include <zip.h>

#include <memory>

#include "services/skills/skill_metadata.h"
#include "util/path.h"

namespace nexus::services {
namespace {

struct ZipDiscard {
  void operator()(zip_t* za) const { zip_discard(za); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipDiscard>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileClose>;

Status Bad(const std::string& problem) {
  return Status(Code::kValidation, "Invalid skill package: " + problem);
}

std::string ErrorText(zip_error_t* error) {
  std::string text = zip_error_strerror(error);
  zip_error_fini(error);
  return text;
}

// The archive over `data` (which must outlive it), read-only.
StatusOr<ZipPtr> OpenArchive(std::string_view data) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(data.data(), data.size(), 0, &error);
  if (source == nullptr) return Bad("cannot read the zip: " + ErrorText(&error));
  zip_t* za = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (za == nullptr) {
    zip_source_free(source);
    return Bad("not a valid zip file: " + ErrorText(&error));
  }
  return ZipPtr(za);
}

// Splits a checked entry name into its skill folder and the path inside it.
Status SplitEntryName(const std::string& name, std::string& skill, std::string& rel) {
  if (name.empty() || name.front() == '/') return Bad("entry '" + name + "' has an absolute path");
  if (name.find('\\') != std::string::npos) return Bad("entry '" + name + "' contains a backslash");
  std::string trimmed = name;
  if (trimmed.back() == '/') trimmed.pop_back();
  for (size_t start = 0; start <= trimmed.size();) {
    const size_t end = std::min(trimmed.find('/', start), trimmed.size());
    if (trimmed.compare(start, end - start, "..") == 0)
      return Bad("entry '" + name + "' contains a '..' component");
    start = end + 1;
  }
  StatusOr<std::string> normal = NormalizePath("/" + trimmed);
  if (!normal.ok() || *normal != "/" + trimmed)
    return Bad("entry '" + name + "' is not a plain relative path");
  const size_t slash = trimmed.find('/');
  skill = trimmed.substr(0, slash);
  rel = slash == std::string::npos ? "" : trimmed.substr(slash + 1);
  if (!IsValidSkillName(skill))
    return Bad("entry '" + name + "' is not inside a <name>/ folder with a valid skill name");
  return Status::OK();
}

Status CheckType(zip_t* za, zip_uint64_t index, const std::string& name) {
  zip_uint8_t opsys = 0;
  zip_uint32_t attributes = 0;
  if (zip_file_get_external_attributes(za, index, 0, &opsys, &attributes) != 0)
    return Bad("entry '" + name + "' has unreadable attributes");
  if (opsys != ZIP_OPSYS_UNIX) return Status::OK();
  const mode_t mode = attributes >> 16;
  if (S_ISLNK(mode)) return Bad("entry '" + name + "' is a symbolic link");
  if ((mode & S_IFMT) != 0 && !S_ISREG(mode) && !S_ISDIR(mode))
    return Bad("entry '" + name + "' is a special file");
  return Status::OK();
}

// Inflates one entry, counting the bytes it really yields against both limits.
StatusOr<std::string> Inflate(zip_t* za, zip_uint64_t index, const std::string& name,
                              uint64_t declared, uint64_t& total, uint64_t max_total) {
  ZipFilePtr file(zip_fopen_index(za, index, 0));
  if (!file) return Bad("cannot open entry '" + name + "': " + zip_strerror(za));
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    const zip_int64_t n = zip_fread(file.get(), buf, sizeof buf);
    if (n < 0) return Bad("cannot inflate entry '" + name + "': " + zip_file_strerror(file.get()));
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (out.size() + static_cast<uint64_t>(n) > declared)
      return Bad("entry '" + name + "' inflates beyond its declared size");
    if (total > max_total) return Bad("more than " + std::to_string(max_total) + " bytes unpacked");
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

StatusOr<std::map<std::string, SkillFiles>> ReadSkillZip(std::string_view zip,
                                                         const ZipLimits& limits) {
  ASSIGN_OR_RETURN(const ZipPtr za, OpenArchive(zip));
  const zip_int64_t count = zip_get_num_entries(za.get(), 0);
  if (count < 0 || static_cast<uint64_t>(count) > limits.max_entries)
    return Bad("more than " + std::to_string(limits.max_entries) + " entries");
  struct Planned {
    zip_uint64_t index;
    std::string name, skill, rel;
    uint64_t size;
  };
  std::vector<Planned> files;
  uint64_t declared_total = 0;
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    zip_stat_t st;
    if (zip_stat_index(za.get(), i, 0, &st) != 0 || (st.valid & ZIP_STAT_NAME) == 0 ||
        (st.valid & ZIP_STAT_SIZE) == 0) {
      return Bad("entry " + std::to_string(i) + " is unreadable");
    }
    Planned p{i, st.name, "", "", st.size};
    RETURN_IF_ERROR(SplitEntryName(p.name, p.skill, p.rel));
    RETURN_IF_ERROR(CheckType(za.get(), i, p.name));
    if (p.name.back() == '/') continue;
    if (p.rel.empty()) return Bad("entry '" + p.name + "' is not inside a <name>/ folder");
    declared_total += p.size;
    if (declared_total > limits.max_unpacked_bytes)
      return Bad("more than " + std::to_string(limits.max_unpacked_bytes) + " bytes unpacked");
    files.push_back(std::move(p));
  }
  std::map<std::string, SkillFiles> skills;
  uint64_t total = 0;
  for (const Planned& p : files) {
    ASSIGN_OR_RETURN(std::string data,
                     Inflate(za.get(), p.index, p.name, p.size, total, limits.max_unpacked_bytes));
    if (!skills[p.skill].emplace(p.rel, std::move(data)).second)
      return Bad("entry '" + p.name + "' appears twice");
  }
  return skills;
}

StatusOr<std::string> WriteZip(const std::vector<ZipEntry>& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* target = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (target == nullptr) return Internal("zip: " + ErrorText(&error));
  zip_t* za = zip_open_from_source(target, ZIP_TRUNCATE, &error);
  if (za == nullptr) {
    zip_source_free(target);
    return Internal("zip: " + ErrorText(&error));
  }
  zip_source_keep(target);  // survives zip_close so the result can be read back
  const std::unique_ptr<zip_source_t, decltype(&zip_source_free)> keep(target, zip_source_free);
  for (const ZipEntry& e : entries) {
    zip_source_t* data = zip_source_buffer(za, e.data.data(), e.data.size(), 0);
    const zip_int64_t index =
        data == nullptr ? -1 : zip_file_add(za, e.name.c_str(), data, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      if (data != nullptr) zip_source_free(data);
      const std::string message = zip_strerror(za);
      zip_discard(za);
      return Internal("zip: cannot add " + e.name + ": " + message);
    }
    zip_file_set_external_attributes(za, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                     zip_uint32_t{e.unix_mode} << 16);
  }
  if (zip_close(za) != 0) {
    const std::string message = zip_strerror(za);
    zip_discard(za);
    return Internal("zip: " + message);
  }
  zip_stat_t st;
  if (zip_source_stat(target, &st) != 0 || zip_source_open(target) != 0)
    return Internal("zip: cannot read the archive back");
  std::string out(static_cast<size_t>(st.size), '\0');
  const zip_int64_t n = zip_source_read(target, out.data(), out.size());
  zip_source_close(target);
  if (n < 0 || static_cast<uint64_t>(n) != st.size) return Internal("zip: short read");
  return out;
}

}  // namespace nexus::services

// `nexus mount` and `nexus unmount`: the server's tree as a local directory (fuse/mount.h,
// docs/mount.md), with the caller's key, so the mount shows what that key may see.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>

#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"
#include "fuse/mount.h"
#include "util/hash.h"

namespace nexus::cli {
namespace {

struct MountCommandOptions {
  std::string mountpoint;
  std::string remote_path = "/";
  bool foreground = false;
  bool read_only = false;
  bool debug = false;
  std::string cache_dir;
  int64_t cache_mib = 1024;
  double metadata_ttl_seconds = 1;
  double io_timeout_seconds = 15;
};

// One cache per mount point (each counts its own size): under $XDG_CACHE_HOME/nexus/mount,
// else ~/.cache/nexus/mount, else /tmp/nexus-mount-UID, a folder named by the mount point's
// hash.
std::string DefaultCacheDir(const std::string& mountpoint) {
  std::string base = "/tmp/nexus-mount-" + std::to_string(::getuid());
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    base = std::string(xdg) + "/nexus/mount";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::string(home) + "/.cache/nexus/mount";
  }
  return base + "/" + Sha256Hex(mountpoint).substr(0, 16);
}

int Mount(Remote& r, const MountCommandOptions& o) {
  if (o.cache_mib < 0 || o.cache_mib > (int64_t{1} << 30) || o.metadata_ttl_seconds < 0 ||
      o.metadata_ttl_seconds > 86400 || o.io_timeout_seconds <= 0 || o.io_timeout_seconds > 86400)
    return UsageError(r,
                      "--cache-size is 0 to 2^30 MiB, --metadata-ttl 0 to 86400 seconds, "
                      "--io-timeout above 0 up to 86400 seconds");
  // A profile named but missing is an error to report now, before the mount goes to the
  // background.
  if (!r.target().missing_profile.empty()) return r.Fail(r.Client().status());
  client::ClientOptions client_options = r.ClientOptionsFor();
  client_options.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(o.io_timeout_seconds * 1000));
  client_options.user_agent = "nexus-mount";
  fuse::MountOptions options;
  std::error_code ec;
  // The mount leaves its working directory once in the background: absolute paths only.
  options.mountpoint = std::filesystem::absolute(o.mountpoint, ec).string();
  options.remote_root = o.remote_path;
  options.foreground = o.foreground || o.debug;
  options.read_only = o.read_only;
  options.debug = o.debug;
  options.cache_dir = o.cache_dir.empty() ? DefaultCacheDir(options.mountpoint) : o.cache_dir;
  options.cache_dir = std::filesystem::absolute(options.cache_dir, ec).string();
  options.cache_bytes = o.cache_mib << 20;
  options.metadata_ttl =
      std::chrono::milliseconds(static_cast<int64_t>(o.metadata_ttl_seconds * 1000));
  if (Status s = fuse::RunMount(client_options, options); !s.ok()) return r.Fail(s);
  return kExitOk;
}

int Unmount(Remote& r, const MountCommandOptions& o) {
  if (Status s = fuse::Unmount(o.mountpoint); !s.ok()) return r.Fail(s);
  return kExitOk;
}

}  // namespace

void AddMountCommands(CLI::App& app, RemoteCommand* run) {
  auto o = Shared<MountCommandOptions>();
  CLI::App* mount = app.add_subcommand(
      "mount", "Show the server's tree (or REMOTE_PATH in it) as the directory MOUNTPOINT");
  mount->add_option("mountpoint", o->mountpoint, "An existing, empty directory")->required();
  mount->add_option("remote_path", o->remote_path, "The server's directory to show")
      ->capture_default_str();
  mount->add_flag("-f,--foreground", o->foreground, "Stay in the foreground until unmounted");
  mount->add_flag("--read-only", o->read_only, "Refuse every change (EROFS)");
  mount->add_flag("--debug", o->debug, "Print every FUSE request (implies --foreground)");
  mount->add_option("--cache-dir", o->cache_dir,
                    "Where contents are cached (default ~/.cache/nexus/mount)");
  mount->add_option("--cache-size", o->cache_mib, "Most MiB of contents to keep on disk")
      ->capture_default_str();
  mount
      ->add_option("--metadata-ttl", o->metadata_ttl_seconds,
                   "Seconds attributes and listings are trusted (changes made elsewhere "
                   "show within it)")
      ->capture_default_str();
  mount
      ->add_option("--io-timeout", o->io_timeout_seconds,
                   "Seconds a request may take before the call fails with EIO")
      ->capture_default_str();
  OnRun(mount, run, o, Mount);

  CLI::App* unmount = app.add_subcommand("unmount", "Unmount a directory of `nexus mount`");
  unmount->add_option("mountpoint", o->mountpoint, "The mounted directory")->required();
  OnRun(unmount, run, o, Unmount);
}

}  // namespace nexus::cli

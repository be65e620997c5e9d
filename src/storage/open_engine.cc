#include "storage/engine.h"

namespace nexus::storage {

StatusOr<std::unique_ptr<Engine>> OpenEngine(std::string_view url, Durability durability) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    PostgresOptions options;
    options.url = std::string(url);
    return OpenPostgres(options);
  }
  constexpr std::string_view kSqliteScheme = "sqlite:///";
  if (url.starts_with(kSqliteScheme)) url.remove_prefix(kSqliteScheme.size() - 1);
  if (url.empty()) return InvalidArgument("database URL is empty");
  SqliteOptions options;
  options.path = std::string(url);
  options.durability = durability;
  return OpenSqlite(options);
}

}  // namespace nexus::storage

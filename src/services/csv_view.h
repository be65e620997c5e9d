// Column-level views of CSV files (the dynamic_viewer relation, domain.md §3.1): a column
// configuration hides columns, shows others raw, and replaces some by one aggregate.
#ifndef NEXUS_SERVICES_CSV_VIEW_H_
#define NEXUS_SERVICES_CSV_VIEW_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace nexus::services {

struct ColumnConfig {
  std::vector<std::string> hidden_columns;
  // (column, operation): mean, sum, min, max, std, median or count.
  std::vector<std::pair<std::string, std::string>> aggregations;
  // Shown raw; when empty, every column neither hidden nor aggregated.
  std::vector<std::string> visible_columns;
};

// Parses {hidden_columns: [..], aggregations: {col: op}, visible_columns: [..]} (each key
// optional, no others). kInvalidArgument naming the problem: a wrong shape, an unknown
// operation, a column in two of the three.
StatusOr<ColumnConfig> ParseColumnConfig(std::string_view json);

// The configuration as JSON text with all three keys.
std::string ColumnConfigJson(const ColumnConfig& config);

struct CsvView {
  std::string filtered_data;  // CSV: the shown columns, then one "<op>(<col>)" column each
  // "<op>(<col>)" -> value; nullopt when no value has one (a mean of no numbers).
  std::vector<std::pair<std::string, std::optional<double>>> aggregations;
  std::vector<std::string> columns_shown;
  std::vector<std::string> aggregated_columns;  // "<op>(<col>)"
};

// Applies `config` to UTF-8 CSV text (RFC 4180 quoting; the first row names the columns).
// kValidation naming the problem: not UTF-8, an unterminated quote, a configured column the
// header lacks, a non-numeric cell in a numeric aggregation (empty cells are skipped).
StatusOr<CsvView> ApplyColumnConfig(std::string_view csv, const ColumnConfig& config);

}  // namespace nexus::services

#endif  // NEXUS_SERVICES_CSV_VIEW_H_

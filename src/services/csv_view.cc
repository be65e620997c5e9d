#include "services/csv_view.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "util/path.h"

namespace nexus::services {
namespace {

using Json = nlohmann::json;
using Rows = std::vector<std::vector<std::string>>;

const std::set<std::string>& Operations() {
  static const std::set<std::string> kOps = {"count", "max", "mean", "median", "min", "std", "sum"};
  return kOps;
}

StatusOr<std::vector<std::string>> NameList(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.contains(key) || j[key].is_null()) return out;
  if (!j[key].is_array()) return InvalidArgument(std::string(key) + " must be a list of names");
  for (const Json& name : j[key]) {
    if (!name.is_string()) return InvalidArgument(std::string(key) + " must be a list of names");
    out.push_back(name.get<std::string>());
  }
  return out;
}

StatusOr<Rows> ParseCsv(std::string_view text) {
  if (!IsValidUtf8(text)) return Status(Code::kValidation, "the CSV is not valid UTF-8");
  Rows rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  const auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    rows.push_back(std::move(row));
    row.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
    } else {
      field += c;
    }
  }
  if (quoted) return Status(Code::kValidation, "the CSV has an unterminated quote");
  if (!field.empty() || !row.empty()) end_row();
  return rows;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string FormatNumber(std::optional<double> v) {
  if (!v) return "";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v);
  return ec == std::errc() ? std::string(buf, end) : "";
}

StatusOr<std::optional<double>> Aggregate(const Rows& rows, size_t col, const std::string& name,
                                          const std::string& op) {
  std::vector<double> values;
  int64_t count = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::string cell = col < rows[r].size() ? rows[r][col] : "";
    if (cell.empty()) continue;
    ++count;
    if (op == "count") continue;
    char* end = nullptr;
    const double v = std::strtod(cell.c_str(), &end);
    // The cell is not quoted: an aggregated column is hidden from the subject.
    if (end != cell.c_str() + cell.size() || !std::isfinite(v))
      return Status(Code::kValidation,
                    "column '" + name + "', row " + std::to_string(r + 1) + ": not a number");
    values.push_back(v);
  }
  if (op == "count") return std::optional<double>(static_cast<double>(count));
  if (op == "sum") {
    double sum = 0;
    for (const double v : values) sum += v;
    return std::optional<double>(sum);
  }
  if (values.empty()) return std::optional<double>();
  if (op == "min") return std::optional<double>(*std::min_element(values.begin(), values.end()));
  if (op == "max") return std::optional<double>(*std::max_element(values.begin(), values.end()));
  double mean = 0;
  for (const double v : values) mean += v / static_cast<double>(values.size());
  if (op == "mean") return std::optional<double>(mean);
  if (op == "median") {
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return std::optional<double>(n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2);
  }
  // std: the sample standard deviation, as pandas computes it.
  if (values.size() < 2) return std::optional<double>();
  double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  return std::optional<double>(std::sqrt(squares / static_cast<double>(values.size() - 1)));
}

}  // namespace

StatusOr<ColumnConfig> ParseColumnConfig(std::string_view json) {
  const Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return InvalidArgument("column_config must be an object");
  for (const auto& [key, value] : j.items()) {
    if (key != "hidden_columns" && key != "aggregations" && key != "visible_columns")
      return InvalidArgument("column_config has unknown key '" + key + "'");
  }
  ColumnConfig config;
  ASSIGN_OR_RETURN(config.hidden_columns, NameList(j, "hidden_columns"));
  ASSIGN_OR_RETURN(config.visible_columns, NameList(j, "visible_columns"));
  if (j.contains("aggregations") && !j["aggregations"].is_null()) {
    if (!j["aggregations"].is_object())
      return InvalidArgument("aggregations must map column names to operations");
    for (const auto& [column, op] : j["aggregations"].items()) {
      if (!op.is_string() || !Operations().contains(op.get<std::string>()))
        return InvalidArgument("aggregation of '" + column +
                               "' must be one of count, max, mean, median, min, std, sum");
      config.aggregations.emplace_back(column, op.get<std::string>());
    }
  }
  std::set<std::string> seen;
  std::vector<std::string> all = config.hidden_columns;
  all.insert(all.end(), config.visible_columns.begin(), config.visible_columns.end());
  for (const auto& [column, op] : config.aggregations) all.push_back(column);
  for (const std::string& column : all) {
    if (!seen.insert(column).second)
      return InvalidArgument("column '" + column + "' appears more than once in column_config");
  }
  return config;
}

std::string ColumnConfigJson(const ColumnConfig& config) {
  Json aggregations = Json::object();
  for (const auto& [column, op] : config.aggregations) aggregations[column] = op;
  return Json{{"hidden_columns", config.hidden_columns},
              {"aggregations", aggregations},
              {"visible_columns", config.visible_columns}}
      .dump();
}

StatusOr<CsvView> ApplyColumnConfig(std::string_view csv, const ColumnConfig& config) {
  ASSIGN_OR_RETURN(const Rows rows, ParseCsv(csv));
  const std::vector<std::string> header = rows.empty() ? std::vector<std::string>{} : rows[0];
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < header.size(); ++i) index.emplace(header[i], i);
  std::vector<std::string> named = config.hidden_columns;
  named.insert(named.end(), config.visible_columns.begin(), config.visible_columns.end());
  for (const auto& [column, op] : config.aggregations) named.push_back(column);
  for (const std::string& column : named) {
    if (!index.contains(column))
      return Status(Code::kValidation, "column '" + column + "' is not in the CSV header");
  }
  const std::set<std::string> hidden(config.hidden_columns.begin(), config.hidden_columns.end());
  const std::set<std::string> visible(config.visible_columns.begin(), config.visible_columns.end());
  std::set<std::string> aggregated;
  for (const auto& [column, op] : config.aggregations) aggregated.insert(column);
  CsvView view;
  std::vector<size_t> shown;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& c = header[i];
    const bool show =
        visible.empty() ? !hidden.contains(c) && !aggregated.contains(c) : visible.contains(c);
    if (!show) continue;
    shown.push_back(i);
    view.columns_shown.push_back(c);
  }
  std::vector<std::string> aggregate_cells;
  for (const auto& [column, op] : config.aggregations) {
    ASSIGN_OR_RETURN(const std::optional<double> value, Aggregate(rows, index[column], column, op));
    const std::string name = op + "(" + column + ")";
    view.aggregated_columns.push_back(name);
    view.aggregations.emplace_back(name, value);
    aggregate_cells.push_back(FormatNumber(value));
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<std::string> cells;
    for (const size_t i : shown) cells.push_back(i < rows[r].size() ? rows[r][i] : "");
    const std::vector<std::string>& extra = r == 0 ? view.aggregated_columns : aggregate_cells;
    cells.insert(cells.end(), extra.begin(), extra.end());
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + CsvField(cells[i]);
    view.filtered_data += line + "\n";
  }
  return view;
}

}  // namespace nexus::services

#include "ingest/row_parsers.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "domain/calendar.hpp"
#include "ingest/id_index.hpp"
#include "ingest/money.hpp"
#include "ingest/transaction_kind.hpp"

namespace clv {
namespace {

bool parse_int(std::string_view text, int64_t& value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_real(std::string_view text, double& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

RowReject bad_date(size_t field, std::string_view text) {
  return {static_cast<int>(field), fmt::format("unparseable date '{}' ({})", text, kDateHint)};
}

}  // namespace

const std::vector<size_t>& required_fields(Entity entity) {
  static const std::vector<size_t> txn = {kTxnCustomer, kTxnTimestamp, kTxnAmount};
  static const std::vector<size_t> inc = {kIncCustomer, kIncOpened};
  static const std::vector<size_t> cus = {kCusId};
  static const std::vector<size_t> emp = {kEmpId};
  switch (entity) {
    case Entity::kTransactions:
      return txn;
    case Entity::kIncidents:
      return inc;
    case Entity::kCustomers:
      return cus;
    case Entity::kEmployees:
      return emp;
  }
  return cus;
}

std::optional<RowReject> parse_transaction_row(const ColumnLayout& layout, const CsvRecord& r,
                                               const MoneyDefaults& money, const IdIndex* customers,
                                               TransactionRow& v) {
  v.id = layout.get(r, kTxnId);
  v.customer = layout.get(r, kTxnCustomer);
  if (v.customer.empty()) return RowReject{kTxnCustomer, "missing customer_id"};
  if (customers != nullptr) customers->prefetch(v.customer);  // looked up after parsing
  const std::string_view ts = layout.get(r, kTxnTimestamp);
  if (ts.empty()) return RowReject{kTxnTimestamp, "missing timestamp"};
  if (!parse_timestamp(ts, v.ts)) return bad_date(kTxnTimestamp, ts);
  v.currency = layout.get(r, kTxnCurrency);
  int exponent = money.exponent;
  if (v.currency.empty()) {
    v.currency = money.currency;
  } else if (!is_currency_code(v.currency)) {
    return RowReject{kTxnCurrency, currency_problem(v.currency)};
  } else {
    exponent = currency_exponent(v.currency);
  }
  const std::string_view kind_text = layout.get(r, kTxnKind);
  const auto kind = canonical_kind(kind_text);
  if (!kind) {
    return RowReject{kTxnKind, fmt::format("unknown kind '{}' (expected purchase, return, refund "
                                           "or cancellation)",
                                           kind_text)};
  }
  v.kind = *kind;
  const std::string_view amount = layout.get(r, kTxnAmount);
  if (amount.empty()) return RowReject{kTxnAmount, "missing amount"};
  if (const AmountStatus status =
          parse_transaction_amount(amount, exponent, is_money_back(v.kind), v.amount);
      status != AmountStatus::kOk) {
    return RowReject{kTxnAmount, amount_problem(status, amount, exponent, v.currency, v.kind)};
  }
  const std::string_view quantity = layout.get(r, kTxnQuantity);
  v.quantity = -1;
  if (!quantity.empty()) {
    if (!parse_int(quantity, v.quantity)) {
      return RowReject{kTxnQuantity, fmt::format("unparseable quantity '{}' (expected a whole "
                                                 "number)",
                                                 quantity)};
    }
    if (v.quantity < 0) {
      return RowReject{kTxnQuantity, fmt::format("negative quantity {}", quantity)};
    }
  }
  v.category = layout.get(r, kTxnCategory);
  v.channel = layout.get(r, kTxnChannel);
  v.location = layout.get(r, kTxnLocation);
  v.reference = layout.get(r, kTxnReference);
  v.payer = layout.get(r, kTxnPayer);
  v.exponent = exponent;
  return std::nullopt;
}

std::optional<RowReject> parse_incident_row(const ColumnLayout& layout, const CsvRecord& r,
                                            const MoneyDefaults& money, IncidentRow& v) {
  v.id = layout.get(r, kIncId);
  v.customer = layout.get(r, kIncCustomer);
  if (v.customer.empty()) return RowReject{kIncCustomer, "missing customer_id"};
  const std::string_view opened_text = layout.get(r, kIncOpened);
  if (opened_text.empty()) return RowReject{kIncOpened, "missing opened_at"};
  if (!parse_timestamp(opened_text, v.opened)) return bad_date(kIncOpened, opened_text);
  v.resolved.reset();
  const std::string_view resolved_text = layout.get(r, kIncResolved);
  if (!resolved_text.empty()) {
    int64_t resolved = 0;
    if (!parse_timestamp(resolved_text, resolved)) return bad_date(kIncResolved, resolved_text);
    if (resolved < v.opened) {
      return RowReject{kIncResolved, fmt::format("resolved_at {} is before opened_at {}",
                                                 resolved_text, opened_text)};
    }
    v.resolved = resolved;
  }
  auto score = [&](size_t field, const char* name,
                   std::optional<int64_t>& out) -> std::optional<RowReject> {
    out.reset();
    const std::string_view text = layout.get(r, field);
    if (text.empty()) return std::nullopt;
    int64_t value = 0;
    if (!parse_int(text, value)) {
      return RowReject{
          static_cast<int>(field),
          fmt::format("unparseable {} '{}' (expected a whole number 1-5)", name, text)};
    }
    if (value < 1 || value > 5) {
      return RowReject{static_cast<int>(field), fmt::format("{} {} out of range 1-5", name, value)};
    }
    out = value;
    return std::nullopt;
  };
  if (auto bad = score(kIncSeverity, "severity", v.severity)) return bad;
  if (auto bad = score(kIncSatisfaction, "satisfaction", v.satisfaction)) return bad;
  v.compensation_minor.reset();
  const std::string_view compensation = layout.get(r, kIncCompensation);
  if (!compensation.empty()) {
    int64_t minor = 0;
    if (!parse_amount_minor(compensation, money.exponent, minor)) {
      return RowReject{kIncCompensation,
                       fmt::format("unparseable amount '{}' (expected a decimal like 12.34 with at "
                                   "most {} decimals for {})",
                                   compensation, money.exponent, money.currency)};
    }
    if (auto bad = compensation_problem(minor, compensation)) return bad;
    v.compensation_minor = minor;
  }
  v.employee = layout.get(r, kIncEmployee);
  v.category = layout.get(r, kIncCategory);
  v.channel = layout.get(r, kIncChannel);
  v.outcome = layout.get(r, kIncOutcome);
  return std::nullopt;
}

std::optional<RowReject> parse_customer_row(const ColumnLayout& layout, const CsvRecord& r,
                                            CustomerRow& v) {
  v.id = layout.get(r, kCusId);
  if (v.id.empty()) return RowReject{kCusId, "missing customer_id"};
  v.acquired_at.reset();
  const std::string_view acquired = layout.get(r, kCusAcquired);
  if (!acquired.empty()) {
    int64_t seconds = 0;
    if (!parse_timestamp(acquired, seconds)) return bad_date(kCusAcquired, acquired);
    v.acquired_at = seconds;
  }
  // Columns no field uses are free attributes (text validated as UTF-8 by
  // the importer before this runs, so dump() cannot throw).
  nlohmann::json attributes = nlohmann::json::object();
  for (int column : layout.extra_columns) {
    if (static_cast<size_t>(column) >= r.fields.size()) continue;
    const std::string_view value = r.fields[column];
    if (!value.empty()) attributes[layout.column_names[column]] = std::string(value);
  }
  v.attributes_json = attributes.dump();
  v.sector = layout.get(r, kCusSector);
  v.segment = layout.get(r, kCusSegment);
  v.region = layout.get(r, kCusRegion);
  return std::nullopt;
}

const char* const kEmployeeScoreNames[6] = {"trust",      "tact",  "empathy",
                                            "conformity", "focus", "flexibility"};

std::optional<RowReject> compensation_problem(int64_t minor, std::string_view text) {
  if (minor >= 0) return std::nullopt;
  return RowReject{
      kIncCompensation,
      fmt::format("negative compensation '{}' (money given to the customer is >= 0)", text)};
}

std::optional<RowReject> employee_problem(const EmployeeRow& v,
                                          const std::string_view (&score_texts)[6]) {
  if (v.id.empty()) return RowReject{kEmpId, "missing employee_id"};
  for (int k = 0; k < 6; ++k) {
    if (!v.scores[k]) continue;
    const double score = *v.scores[k];
    if (!std::isfinite(score) || score < 0 || score > 10) {
      return RowReject{static_cast<int>(kEmpTrust + k),
                       fmt::format("behaviour score {} {} out of range 0-10",
                                   kEmployeeScoreNames[k], score_texts[k])};
    }
  }
  return std::nullopt;
}

std::optional<RowReject> parse_employee_row(const ColumnLayout& layout, const CsvRecord& r,
                                            EmployeeRow& v) {
  v.id = layout.get(r, kEmpId);
  if (v.id.empty()) return RowReject{kEmpId, "missing employee_id"};
  std::string_view texts[6];
  for (int k = 0; k < 6; ++k) {
    const size_t field = kEmpTrust + k;
    const std::string_view text = layout.get(r, field);
    texts[k] = text;
    v.scores[k].reset();
    if (text.empty()) continue;
    double score = 0;
    if (!parse_real(text, score)) {
      return RowReject{static_cast<int>(field),
                       fmt::format("unparseable {} '{}' (expected a number 0-10)",
                                   kEmployeeScoreNames[k], text)};
    }
    v.scores[k] = score;
  }
  if (auto bad = employee_problem(v, texts)) return bad;
  v.role = layout.get(r, kEmpRole);
  v.location = layout.get(r, kEmpLocation);
  return std::nullopt;
}

}  // namespace clv

#include <algorithm>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/sector_plugin.hpp"

namespace clv {

void TransactionBatch::reserve(std::size_t n) {
  customer.reserve(n);
  timestamp.reserve(n);
  kind.reserve(n);
  reference.reserve(n);
  payer_label.reserve(n);
  amount.reserve(n);
  location.reserve(n);
  reference_given.reserve(n);
}

void TransactionBatch::clear() {
  customer.clear();
  timestamp.clear();
  kind.clear();
  reference.clear();
  payer_label.clear();
  amount.clear();
  location.clear();
  reference_given.clear();
  payer_class.clear();
  flags.clear();
  merged_into.clear();
}

void TransactionBatch::add(int64_t customer_index, int64_t time, TransactionKind k, double money,
                           int64_t reference_id, int32_t payer, int64_t location_id,
                           bool reference_from_data) {
  customer.push_back(customer_index);
  timestamp.push_back(time);
  kind.push_back(static_cast<int32_t>(k));
  reference.push_back(reference_id);
  payer_label.push_back(payer);
  amount.push_back(money);
  location.push_back(location_id);
  reference_given.push_back(reference_from_data && reference_id >= 0 ? 1 : 0);
}

void TransactionBatch::erase_dropped() {
  if (flags.size() != size()) return;  // not normalized: nothing is flagged
  std::size_t out = 0;
  std::vector<int64_t> new_index(size(), -1);
  for (std::size_t i = 0; i < size(); ++i) {
    if (flags[i] & row_flag::kDrop) continue;
    new_index[i] = static_cast<int64_t>(out);
    customer[out] = customer[i];
    timestamp[out] = timestamp[i];
    kind[out] = kind[i];
    reference[out] = reference[i];
    payer_label[out] = payer_label[i];
    amount[out] = amount[i];
    if (location.size() == size()) location[out] = location[i];
    if (reference_given.size() == size()) reference_given[out] = reference_given[i];
    payer_class[out] = payer_class[i];
    flags[out] = flags[i];
    merged_into[out] = merged_into[i];
    ++out;
  }
  for (std::size_t i = 0; i < out; ++i) {
    if (merged_into[i] >= 0) merged_into[i] = new_index[static_cast<std::size_t>(merged_into[i])];
  }
  for (auto* column : {&customer, &timestamp, &reference, &merged_into}) column->resize(out);
  kind.resize(out);
  payer_label.resize(out);
  amount.resize(out);
  if (location.size() >= out) location.resize(out);
  if (reference_given.size() >= out) reference_given.resize(out);
  payer_class.resize(out);
  flags.resize(out);
}

void IncidentBatch::add(int64_t customer_index, int64_t opened, int64_t resolved,
                        int32_t severity_level, int32_t category_index, IncidentOutcome result,
                        double satisfaction_score, int64_t employee_index) {
  customer.push_back(customer_index);
  opened_at.push_back(opened);
  resolved_at.push_back(resolved);
  severity.push_back(severity_level);
  category.push_back(category_index);
  outcome.push_back(static_cast<int32_t>(result));
  satisfaction.push_back(satisfaction_score);
  employee.push_back(employee_index);
}

std::size_t IncidentCovariateMatrix::column(const std::string& name) const {
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    throw Error::not_found(
        fmt::format("no covariate named \"{}\"; available: {}", name, fmt::join(names, ", ")));
  }
  return static_cast<std::size_t>(it - names.begin());
}

std::string model_kind_name(ModelKind kind) {
  switch (kind) {
    case ModelKind::kParetoNbd:
      return "pareto_nbd";
    case ModelKind::kBgNbd:
      return "bg_nbd";
    case ModelKind::kMbgNbd:
      return "mbg_nbd";
    case ModelKind::kBgBb:
      return "bg_bb";
    case ModelKind::kSbg:
      return "sbg";
  }
  return "unknown";
}

}  // namespace clv

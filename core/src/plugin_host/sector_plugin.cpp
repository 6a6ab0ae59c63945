#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "plugin_host/sector_plugin_impl.hpp"

namespace clv {
namespace {

template <typename Column>
void require_rows(const Column& column, std::size_t rows, const char* name, const char* batch) {
  if (column.size() != rows) {
    throw Error::invalid_argument(fmt::format("{}: column {} has {} rows but the batch has {}",
                                              batch, name, column.size(), rows));
  }
}

}  // namespace

SectorPlugin::Impl::~Impl() {
  if (instance != nullptr && descriptor.destroy != nullptr) descriptor.destroy(instance);
}

void SectorPlugin::Impl::fail(const char* what, int32_t status, const clv_call& call) const {
  if (!call.has_message) {
    throw Error::plugin_error(fmt::format(
        "plugin '{}' ({}) failed in {} with status {}: plugin bug: returned error without a "
        "message; report this to the plugin's vendor",
        info.id, info.library_path, what, status));
  }
  throw Error::plugin_error(fmt::format("plugin '{}' ({}) failed in {}: {}", info.id,
                                        info.library_path, what, call.message));
}

void SectorPlugin::Impl::threw(const char* what, const char* detail) const {
  throw Error::plugin_error(fmt::format(
      "plugin '{}' ({}) threw an exception across the C ABI in {}: {}; plugins must catch "
      "every exception (the SDK's CLV_SDK_EXPORT_SECTOR does)",
      info.id, info.library_path, what, detail));
}

SectorPlugin::SectorPlugin(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

const PluginInfo& SectorPlugin::info() const {
  return impl_->info;
}
const std::vector<std::string>& SectorPlugin::covariate_names() const {
  return impl_->covariate_names;
}
const SectorEconomics& SectorPlugin::economics() const {
  return impl_->economics;
}
const std::vector<Lever>& SectorPlugin::levers() const {
  return impl_->levers;
}
const std::string& SectorPlugin::levers_json() const {
  return impl_->levers_json;
}

NormalizeReport SectorPlugin::normalize_transactions(TransactionBatch& batch) const {
  const std::size_t n = batch.size();
  const char* name = "transaction batch";
  require_rows(batch.timestamp, n, "timestamp", name);
  require_rows(batch.kind, n, "kind", name);
  require_rows(batch.reference, n, "reference", name);
  require_rows(batch.payer_label, n, "payer_label", name);
  require_rows(batch.amount, n, "amount", name);
  const Impl& p = *impl_;
  std::lock_guard lock(p.mutex);

  // Payer labels are few: map the dictionary once, then index per row.
  std::vector<int32_t> label_class(batch.payer_labels.size(), CLV_PAYER_UNKNOWN);
  if (!batch.payer_labels.empty()) {
    std::vector<clv_string_view> labels;
    labels.reserve(batch.payer_labels.size());
    for (const auto& l : batch.payer_labels) labels.push_back({l.data(), l.size()});
    p.invoke("map_payer_types", [&](clv_call* call) {
      return p.descriptor.map_payer_types(p.instance, call, labels.data(), labels.size(),
                                          label_class.data());
    });
    for (std::size_t i = 0; i < label_class.size(); ++i) {
      if (label_class[i] < CLV_PAYER_UNKNOWN || label_class[i] > CLV_PAYER_OTHER) {
        throw Error::plugin_error(
            fmt::format("plugin '{}' ({}) mapped payer label \"{}\" to unknown payer class {}",
                        p.info.id, p.info.library_path, batch.payer_labels[i], label_class[i]));
      }
    }
  }
  batch.payer_class.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int32_t label = batch.payer_label[i];
    if (label >= static_cast<int32_t>(label_class.size())) {
      throw Error::invalid_argument(
          fmt::format("transaction batch row {}: payer_label {} is outside the {} payer labels", i,
                      label, label_class.size()));
    }
    batch.payer_class[i] =
        label < 0 ? CLV_PAYER_UNKNOWN : label_class[static_cast<std::size_t>(label)];
  }
  batch.flags.assign(n, 0u);
  batch.merged_into.assign(n, -1);
  // A batch built column by column without the ABI 1.2 columns: no sites, and
  // every reference counts as one from the data.
  if (batch.location.size() != n) batch.location.assign(n, -1);
  if (batch.reference_given.size() != n) {
    batch.reference_given.resize(n);
    for (std::size_t i = 0; i < n; ++i) batch.reference_given[i] = batch.reference[i] >= 0;
  }

  clv_transaction_batch view{};
  view.struct_size = sizeof view;
  view.count = n;
  view.customer = batch.customer.data();
  view.timestamp = batch.timestamp.data();
  view.kind = batch.kind.data();
  view.reference = batch.reference.data();
  view.payer_class = batch.payer_class.data();
  view.amount = batch.amount.data();
  view.flags = batch.flags.data();
  view.merged_into = batch.merged_into.data();
  view.location = batch.location.data();
  view.reference_given = batch.reference_given.data();
  p.invoke("normalize_transactions", [&](clv_call* call) {
    return p.descriptor.normalize_transactions(p.instance, call, &view);
  });

  NormalizeReport report;
  report.rows = n;
  for (std::size_t i = 0; i < n; ++i) {
    const uint32_t f = batch.flags[i];
    if (!std::isfinite(batch.amount[i])) {
      throw Error::plugin_error(fmt::format(
          "plugin '{}' ({}) left a non-finite amount in row {} after normalize_transactions",
          p.info.id, p.info.library_path, i));
    }
    const int64_t target = batch.merged_into[i];
    if (target < -1 || target >= static_cast<int64_t>(n)) {
      throw Error::plugin_error(fmt::format(
          "plugin '{}' ({}) set merged_into of row {} to {}, outside the batch of {} rows",
          p.info.id, p.info.library_path, i, target, n));
    }
    report.dropped += (f & row_flag::kDrop) != 0;
    report.netted += (f & row_flag::kNetted) != 0;
    report.merged += (f & row_flag::kMerged) != 0;
    report.cancelled += (f & row_flag::kCancelled) != 0;
    report.flagged += (f & row_flag::kFlagged) != 0;
    report.adjusted += (f & row_flag::kAdjusted) != 0;
  }
  report.kept = n - report.dropped;
  return report;
}

IncidentCovariateMatrix SectorPlugin::incident_covariates(const IncidentBatch& batch) const {
  const std::size_t n = batch.size();
  const char* name = "incident batch";
  require_rows(batch.opened_at, n, "opened_at", name);
  require_rows(batch.resolved_at, n, "resolved_at", name);
  require_rows(batch.severity, n, "severity", name);
  require_rows(batch.category, n, "category", name);
  require_rows(batch.outcome, n, "outcome", name);
  require_rows(batch.satisfaction, n, "satisfaction", name);
  require_rows(batch.employee, n, "employee", name);
  for (std::size_t i = 0; i < n; ++i) {
    if (batch.category[i] < 0 ||
        static_cast<std::size_t>(batch.category[i]) >= batch.category_names.size()) {
      throw Error::invalid_argument(
          fmt::format("incident batch row {}: category {} is outside the {} category names", i,
                      batch.category[i], batch.category_names.size()));
    }
    if (batch.employee[i] >= static_cast<int64_t>(batch.employees.size())) {
      throw Error::invalid_argument(
          fmt::format("incident batch row {}: employee {} is outside the {} employee profiles", i,
                      batch.employee[i], batch.employees.size()));
    }
    if (batch.severity[i] < 1 || batch.severity[i] > 5) {
      throw Error::invalid_argument(
          fmt::format("incident batch row {}: severity {} is not in 1..5", i, batch.severity[i]));
    }
  }
  const Impl& p = *impl_;
  std::lock_guard lock(p.mutex);
  std::vector<clv_string_view> categories;
  categories.reserve(batch.category_names.size());
  for (const auto& c : batch.category_names) categories.push_back({c.data(), c.size()});
  static_assert(sizeof(EmployeeProfile) == sizeof(clv_employee_profile));
  std::vector<clv_employee_profile> employees;
  employees.reserve(batch.employees.size());
  for (const auto& e : batch.employees) {
    employees.push_back({e.trust, e.tact, e.empathy, e.conformity, e.focus, e.flexibility});
  }

  clv_incident_batch view{};
  view.struct_size = sizeof view;
  view.count = n;
  view.customer = batch.customer.data();
  view.opened_at = batch.opened_at.data();
  view.resolved_at = batch.resolved_at.data();
  view.severity = batch.severity.data();
  view.category = batch.category.data();
  view.outcome = batch.outcome.data();
  view.satisfaction = batch.satisfaction.data();
  view.employee = batch.employee.data();
  view.category_names = categories.data();
  view.category_count = categories.size();
  view.employees = employees.data();
  view.employee_count = employees.size();

  IncidentCovariateMatrix out;
  out.names = p.covariate_names;
  out.rows = n;
  const std::size_t k = out.names.size();
  out.values.assign(n * k, std::nan(""));
  p.invoke("incident_covariates", [&](clv_call* call) {
    return p.descriptor.incident_covariates(p.instance, call, &view, out.values.data(), k);
  });
  for (std::size_t i = 0; i < out.values.size(); ++i) {
    if (!std::isfinite(out.values[i])) {
      throw Error::plugin_error(
          fmt::format("plugin '{}' ({}) returned a non-finite covariate {} for incident row {}",
                      p.info.id, p.info.library_path, out.names[i % k], i / k));
    }
  }
  return out;
}

}  // namespace clv

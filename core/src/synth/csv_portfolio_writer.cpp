#include "synth/csv_portfolio_writer.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>

#include "clv/error.hpp"
#include "domain/calendar.hpp"
#include "synth/generator_config.hpp"

namespace clv::synth {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

// Hand-rolled digit writers: formatting is most of the cost of writing
// millions of rows, and fmt's general path parses a format string per call.
void put_padded(fmt::memory_buffer& out, int64_t value, int width) {
  char digits[24];
  int n = 0;
  uint64_t v = static_cast<uint64_t>(value < 0 ? -value : value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  if (value < 0) out.push_back('-');
  for (int i = n; i < width; ++i) out.push_back('0');
  while (n > 0) out.push_back(digits[--n]);
}

void put_timestamp(fmt::memory_buffer& out, int64_t seconds) {
  const int64_t days = day_of(seconds);
  const int64_t s = seconds - days * kSecondsPerDay;
  const CivilDate d = civil_from_days(days);
  put_padded(out, d.year, 4);
  out.push_back('-');
  put_padded(out, d.month, 2);
  out.push_back('-');
  put_padded(out, d.day, 2);
  out.push_back('T');
  put_padded(out, s / 3600, 2);
  out.push_back(':');
  put_padded(out, s / 60 % 60, 2);
  out.push_back(':');
  put_padded(out, s % 60, 2);
  out.push_back('Z');
}

void put_amount(fmt::memory_buffer& out, int64_t minor) {
  if (minor < 0) {
    out.push_back('-');
    minor = -minor;
  }
  put_padded(out, minor / 100, 1);
  out.push_back('.');
  put_padded(out, minor % 100, 2);
}

void put_id(fmt::memory_buffer& out, char prefix, int64_t index, int width) {
  out.push_back(prefix);
  put_padded(out, index, width);
}

// RFC 4180: quote only when the text needs it.
void put_text(fmt::memory_buffer& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(text);
    return;
  }
  out.push_back('"');
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

// Returns, cancellations and refunds carry the id of the purchase they undo
// plus a suffix, because the import contract has no reference column.
std::string_view kind_suffix(std::string_view kind) {
  if (kind == "return") return "-R";
  if (kind == "cancellation") return "-X";
  if (kind == "refund") return "-F";
  return "";
}

}  // namespace

BufferedCsvFile::BufferedCsvFile(const std::filesystem::path& path, std::string_view header)
    : path_(path), file_(std::fopen(path.c_str(), "wb")) {
  if (!file_)
    throw Error::io(fmt::format("cannot create {}: {}; check that the directory is writable",
                                path.string(), std::strerror(errno)));
  buffer_.append(header);
  buffer_.push_back('\n');
}

BufferedCsvFile::~BufferedCsvFile() {
  if (file_) std::fclose(file_);
}

void BufferedCsvFile::end_row() {
  buffer_.push_back('\n');
  if (buffer_.size() >= kFlushBytes) flush();
}

void BufferedCsvFile::flush() {
  if (buffer_.size() > 0 && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
    throw Error::io(fmt::format("cannot write {}: {}", path_.string(), std::strerror(errno)));
  buffer_.clear();
}

void BufferedCsvFile::close() {
  flush();
  const int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0)
    throw Error::io(fmt::format("cannot close {}: {}", path_.string(), std::strerror(errno)));
}

CsvPortfolioWriter::CsvPortfolioWriter(const GeneratorConfig& config,
                                       const std::filesystem::path& dir)
    : config_(config),
      dir_(dir),
      customers_(dir / "customers.csv", "customer_id,sector,segment,region,acquired_at"),
      transactions_(dir / "transactions.csv",
                    "transaction_id,customer_id,timestamp,amount,currency,kind,quantity,category,"
                    "channel,location"),
      incidents_(dir / "incidents.csv",
                 "incident_id,customer_id,opened_at,resolved_at,severity,category,channel,outcome,"
                 "satisfaction,employee_id,compensation"),
      employees_(dir / "employees.csv",
                 "employee_id,role,location,trust,tact,empathy,conformity,focus,flexibility") {}

void CsvPortfolioWriter::employee(const SyntheticEmployee& e) {
  auto& out = employees_.buffer();
  fmt::format_to(std::back_inserter(out), "E{:04},", e.index);
  put_text(out, e.role);
  out.push_back(',');
  put_text(out, e.location);
  fmt::format_to(std::back_inserter(out), ",{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f}", e.trust,
                 e.tact, e.empathy, e.conformity, e.focus, e.flexibility);
  employees_.end_row();
}

void CsvPortfolioWriter::customer(const SyntheticCustomer& c) {
  auto& out = customers_.buffer();
  put_id(out, 'C', c.index, 7);
  out.push_back(',');
  out.append(sector_name(config_.sector));
  out.push_back(',');
  put_text(out, c.segment);
  out.push_back(',');
  put_text(out, c.region);
  out.push_back(',');
  put_timestamp(out, c.acquired_at);
  customers_.end_row();

  if (config_.sector == Sector::kFinancial) {
    // The k-th fee is paid at acquisition + k months while the customer stays.
    const double acquired = static_cast<double>(c.acquired_at) / kSecondsPerDay;
    const double window_end = static_cast<double>(config_.start_day) + config_.years * kDaysPerYear;
    const double stop =
        c.dropout_at ? std::min(window_end, static_cast<double>(*c.dropout_at) / kSecondsPerDay)
                     : window_end;
    const CivilDate d = civil_from_days(day_of(c.acquired_at));
    auto& alive = renewals_[d.year * 12 + d.month - 1];
    for (size_t k = 0; acquired + static_cast<double>(k) * kDaysPerMonth < stop; ++k) {
      if (alive.size() <= k) alive.resize(k + 1, 0);
      ++alive[k];
    }
  }
}

void CsvPortfolioWriter::transaction(const SyntheticTransaction& t) {
  auto& out = transactions_.buffer();
  fmt::format_to(std::back_inserter(out), "T{:09}{},C{:07},", t.index, kind_suffix(t.kind),
                 t.customer);
  put_timestamp(out, t.timestamp);
  out.push_back(',');
  put_amount(out, t.amount_minor);
  fmt::format_to(std::back_inserter(out), ",{},{},{},", t.currency, t.kind, t.quantity);
  put_text(out, t.category);
  out.push_back(',');
  put_text(out, t.channel);
  out.push_back(',');
  put_text(out, t.location);
  transactions_.end_row();
}

void CsvPortfolioWriter::incident(const SyntheticIncident& i) {
  auto& out = incidents_.buffer();
  put_id(out, 'I', i.index, 8);
  out.push_back(',');
  put_id(out, 'C', i.customer, 7);
  out.push_back(',');
  put_timestamp(out, i.opened_at);
  out.push_back(',');
  if (i.resolved_at) put_timestamp(out, *i.resolved_at);
  fmt::format_to(std::back_inserter(out), ",{},", i.severity);
  put_text(out, i.category);
  out.push_back(',');
  put_text(out, i.channel);
  fmt::format_to(std::back_inserter(out), ",{},", i.outcome);
  if (i.satisfaction) fmt::format_to(std::back_inserter(out), "{}", *i.satisfaction);
  fmt::format_to(std::back_inserter(out), ",E{:04},", i.employee);
  put_amount(out, i.compensation_minor);
  incidents_.end_row();
}

void CsvPortfolioWriter::finish() {
  customers_.close();
  transactions_.close();
  incidents_.close();
  employees_.close();
  if (config_.sector == Sector::kFinancial) write_renewals();
}

// Cohort survival for the sBG model: customers of an acquisition month still
// paying at their k-th monthly renewal. A period is listed only when every
// member of the cohort reached it inside the window, so counts are not
// censored.
void CsvPortfolioWriter::write_renewals() {
  BufferedCsvFile file(dir_ / "renewals.csv", "cohort,period,active");
  const double window_end = static_cast<double>(config_.start_day) + config_.years * kDaysPerYear;
  for (const auto& [month_index, alive] : renewals_) {
    const int64_t year = month_index / 12;
    const unsigned month = static_cast<unsigned>(month_index % 12) + 1;
    const double cohort_end = static_cast<double>(
        month == 12 ? days_from_civil(year + 1, 1, 1) : days_from_civil(year, month + 1, 1));
    for (size_t k = 0; cohort_end + static_cast<double>(k) * kDaysPerMonth <= window_end; ++k) {
      fmt::format_to(std::back_inserter(file.buffer()), "{:04}-{:02},{},{}", year, month, k,
                     k < alive.size() ? alive[k] : 0);
      file.end_row();
    }
  }
  file.close();
}

}  // namespace clv::synth

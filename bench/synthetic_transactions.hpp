// Generates big transaction files for benchmarks (summary, import):
// customers arrive over a year and buy with heterogeneous propensities; rows
// are written in time order as an export would be, so customers are
// interleaved. Deterministic for a given seed. Library-free
// (standard C++ only) so any bench can include it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace clv::bench {

struct SyntheticOptions {
  uint64_t rows = 10'000'000;
  uint32_t customers = 1'000'000;
  uint64_t seed = 42;
  int first_year = 2022;  // transactions span two years from Jan 1st
};

struct SyntheticFileInfo {
  uint64_t rows = 0;
  uint32_t customers = 0;  // customers with at least one row
  uint64_t id_bytes = 0;   // total bytes of the distinct ids
};

namespace detail {

inline void civil_from_days(int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (m <= 2));
}

inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace detail

// Writes `customer_id,timestamp,amount` rows (ids "C" + 7 digits, ISO dates,
// amounts with 2 decimals) to `path`.
inline SyntheticFileInfo write_synthetic_transactions(const std::string& path,
                                                      const SyntheticOptions& options = {}) {
  struct Row {
    uint32_t customer;
    uint16_t day;  // 0 .. 729
    uint32_t cents;
  };
  constexpr int kSpanDays = 730;
  if (options.customers == 0 || options.rows < options.customers) {
    throw std::invalid_argument("need at least one row per customer");
  }
  std::mt19937_64 rng(options.seed);
  // Each customer gets a first purchase in year one and a share of the repeat
  // rows proportional to a gamma-distributed purchase propensity (the
  // NBD heterogeneity), at uniform days after the first one; some land on
  // the same day, which exercises same-day merging.
  std::gamma_distribution<double> propensity(0.8, 1.0);
  std::uniform_int_distribution<int> first_day(0, 364);
  std::lognormal_distribution<double> spend(3.2, 0.6);
  std::uniform_real_distribution<double> fraction(0.0, 1.0);
  std::vector<double> weight(options.customers);
  double total_weight = 0;
  for (auto& w : weight) total_weight += (w = propensity(rng));
  const uint64_t repeats = options.rows - options.customers;
  std::vector<Row> rows;
  rows.reserve(options.rows);
  uint64_t assigned = 0;
  for (uint32_t c = 0; c < options.customers; ++c) {
    const int first = first_day(rng);
    rows.push_back({c, static_cast<uint16_t>(first), static_cast<uint32_t>(spend(rng) * 100)});
    // Randomized rounding keeps the remainder for the last customer small.
    const double share = static_cast<double>(repeats) * weight[c] / total_weight;
    uint64_t n = static_cast<uint64_t>(share) + (fraction(rng) < share - std::floor(share) ? 1 : 0);
    if (c + 1 == options.customers) n = repeats - assigned;  // exact total
    n = std::min(n, repeats - assigned);
    assigned += n;
    std::uniform_int_distribution<int> later(first, kSpanDays - 1);
    for (uint64_t k = 0; k < n; ++k) {
      rows.push_back(
          {c, static_cast<uint16_t>(later(rng)), static_cast<uint32_t>(spend(rng) * 100)});
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.day < b.day; });

  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) throw std::runtime_error("cannot write " + path);
  const int64_t base = detail::days_from_civil(options.first_year, 1, 1);
  char dates[kSpanDays][11];
  for (int d = 0; d < kSpanDays; ++d) {
    int y;
    unsigned m, dd;
    detail::civil_from_days(base + d, y, m, dd);
    std::snprintf(dates[d], sizeof dates[d], "%04d-%02u-%02u", y, m, dd);
  }
  std::string buffer = "customer_id,timestamp,amount\n";
  SyntheticFileInfo info;
  std::vector<bool> seen(options.customers, false);
  char line[64];
  for (const Row& r : rows) {
    const int n = std::snprintf(line, sizeof line, "C%07u,%s,%u.%02u\n", r.customer, dates[r.day],
                                r.cents / 100, r.cents % 100);
    buffer.append(line, static_cast<size_t>(n));
    if (!seen[r.customer]) {
      seen[r.customer] = true;
      ++info.customers;
      info.id_bytes += 8;
    }
    if (buffer.size() > (1 << 20)) {
      std::fwrite(buffer.data(), 1, buffer.size(), out);
      buffer.clear();
    }
  }
  std::fwrite(buffer.data(), 1, buffer.size(), out);
  if (std::fclose(out) != 0) throw std::runtime_error("cannot write " + path);
  info.rows = rows.size();
  return info;
}

}  // namespace clv::bench

// Per-customer summaries as struct-of-arrays: the input of every fit and
// score. Times are in one time unit (weeks unless stated).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clv/customer_summary.hpp"

namespace clv {

struct RfmData {
  std::vector<std::string> customer_id;
  std::vector<double> x;         // repeat transactions (frequency)
  std::vector<double> t_x;       // time of the last repeat transaction (recency)
  std::vector<double> T;         // observation length since the first transaction
  std::vector<double> monetary;  // mean spend of repeat transactions; empty if unknown
  std::vector<double> weight;    // customers per row; empty = 1 each
  std::string T_column = "T";    // "T" or "periods" (BG/BB files), as read
  // From the file's "# clv:" line (clv/summary_metadata.hpp); empty when the
  // file does not record them (files written by other tools).
  std::optional<TimeUnit> unit;
  std::string calibration_end;
  size_t size() const { return x.size(); }
};

// Reads a summary CSV with lifetimes headers frequency,recency,T[,monetary_value],
// Fader-Hardie headers x,t_x,T[,zbar] or BG/BB headers
// frequency,recency,periods[,weights]; an ID column is optional. A first
// "# clv: unit=... calibration_end=..." line fills `unit` and `calibration_end`.
//
// With options.ids false the ids are checked (a row must have the column) but
// not kept: `customer_id` stays empty, which saves the fits a string per
// customer.
struct SummaryReadOptions {
  bool ids = true;
};
RfmData read_summary_file(const std::string& path, const SummaryReadOptions& options = {});

// The model input from a summary built by clv/summarize.hpp (file or
// database): ids, frequency, recency, T and monetary_value, in its order.
// Inline so that the models library does not depend on the summary library.
inline RfmData rfm_data_from_summary(const CustomerSummary& summary) {
  RfmData data;
  data.customer_id.reserve(summary.size());
  for (size_t i = 0; i < summary.size(); ++i) data.customer_id.emplace_back(summary.ids[i]);
  data.x = summary.frequency;
  data.t_x = summary.recency;
  data.T = summary.T;
  data.monetary = summary.monetary_value;
  data.unit = summary.period.unit;
  return data;
}

}  // namespace clv

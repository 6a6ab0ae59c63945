// Reads a per-customer summary CSV in the header conventions users bring:
// lifetimes `frequency,recency,T[,monetary_value]`, Fader-Hardie
// `x,t_x,T[,zbar]`, and BG/BB `frequency,recency,periods[,weights]`. An id
// column (ID, id, customer_id) is optional; without it customers are numbered
// from 1 in file order.
#pragma once

#include <string>

#include "clv/rfm_data.hpp"

namespace clv {

using SummaryTable = RfmData;

// Throws Error::not_found / io for the file, Error::invalid_argument for
// missing columns or a malformed value (with the line number and column).
SummaryTable read_summary_csv(const std::string& path, const SummaryReadOptions& options = {});

}  // namespace clv

// Loads the CDNOW calibration summary (ID,x,t_x,T,zbar) shipped in shared data.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/pareto_nbd.hpp"

namespace clv::testing_support {

inline std::vector<PnbdRow> load_cdnow_rows() {
  std::ifstream in(std::string(CLV_SHARED_DATA_DIR) +
                   "/cdnow/cdnow_customers_summary_with_transactions.csv");
  std::vector<PnbdRow> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream fields(line);
    std::string id, x, t_x, T;
    std::getline(fields, id, ',');
    std::getline(fields, x, ',');
    std::getline(fields, t_x, ',');
    std::getline(fields, T, ',');
    rows.push_back({std::stod(x), std::stod(t_x), std::stod(T), 1.0});
  }
  return rows;
}

}  // namespace clv::testing_support

// The fitted run named by a scenario file, read from its files.
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/models.hpp"
#include "clv/whatif.hpp"

namespace clv {

FitResult read_fit_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error::not_found(fmt::format("parameter file {} not found", path));
  std::stringstream text;
  text << in.rdbuf();
  try {
    return fit_result_from_json_text(text.str());
  } catch (const Error& e) {
    throw Error::invalid_argument(fmt::format("{}: {}", path, e.what()));
  }
}

WhatIfInputs load_whatif_inputs(const ScenarioFile& file) {
  WhatIfInputs in;
  in.run = file.run;
  in.scenarios = file.scenarios;
  in.count_model = read_fit_file(file.run.count_params);
  in.spend_model = read_fit_file(file.run.spend_params);
  in.data = read_summary_file(file.run.summary);
  if (!file.run.customers.empty()) {
    in.attributes = read_customer_attributes(file.run.customers, in.data.customer_id);
  }
  return in;
}

}  // namespace clv

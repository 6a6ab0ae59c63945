// The word-of-mouth options shared by `clv service` and `clv report
// --service-by` (--wom-<field>): the service literature's assumptions, each
// editable; the core validates the values (clv/service_run.hpp).
#pragma once

#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "clv/service_run.hpp"

namespace clv::cli {

// Adds --wom-told-satisfied-low, ..., --wom-value-per-prospect; each given
// value lands in `values` under its field name.
inline void add_word_of_mouth_options(CLI::App& cmd, std::map<std::string, double>& values) {
  static const char* const kFields[][2] = {
      {"told_satisfied_low", "People a satisfied customer tells, low end (default 9)"},
      {"told_satisfied_high", "People a satisfied customer tells, high end (default 12)"},
      {"told_unhappy", "People an unhappy customer tells (default 20)"},
      {"conversion", "Share of the people told won or lost as customers (default 0.01)"},
      {"satisfied_min_satisfaction", "Mean survey score from which a customer is satisfied (4)"},
      {"unhappy_max_satisfaction", "Mean survey score up to which a customer is unhappy (2)"},
      {"value_per_prospect",
       "Value of one prospect won or lost (default: each customer's sector referral value)"},
  };
  for (const auto& [field, help] : kFields) {
    std::string name = std::string("--wom-") + field;
    for (char& c : name) c = c == '_' ? '-' : c;
    cmd.add_option_function<double>(
        name, [&values, f = std::string(field)](double v) { values[f] = v; }, help);
  }
}

// The given values as assumptions (the rest keep the literature's defaults).
inline void apply_word_of_mouth_options(const std::map<std::string, double>& values,
                                        WordOfMouthAssumptions& out) {
  for (const auto& [field, value] : values) set_word_of_mouth_field(out, field, value);
}

}  // namespace clv::cli

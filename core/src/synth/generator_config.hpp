// Checks on a GeneratorConfig shared by the generator and the writers.
#pragma once

#include <cstdint>

#include "clv/portfolio_generator.hpp"

namespace clv::synth {

// Throws Error::invalid_argument naming the offending parameter.
void validate_config(const GeneratorConfig& config);

int64_t employee_count(const GeneratorConfig& config);

constexpr double kDaysPerYear = 365.25;
constexpr double kDaysPerMonth = kDaysPerYear / 12;

}  // namespace clv::synth

// The JSON text of a request (an HTTP body, a C API argument), parsed with
// the nesting limit; every failure is Error::invalid_argument, a number
// beyond double range included.
#pragma once

#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "domain/nesting_limits.hpp"

namespace clv {

inline nlohmann::json parse_request_json(std::string_view text, std::string_view what) {
  try {
    return parse_json_limited(text, what);
  } catch (const nlohmann::json::exception& e) {
    throw Error::invalid_argument(fmt::format(
        "{}: a number is out of range (numbers must fit a double): {}", what, e.what()));
  }
}

}  // namespace clv

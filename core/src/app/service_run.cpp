// run_service_report and the request's JSON and text forms.
#include "clv/service_run.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/request_json.hpp"
#include "clv/error.hpp"
#include "clv/sector_economics.hpp"
#include "clv/time_unit.hpp"

namespace clv {
namespace {

constexpr const char* kWhat = "service request";

[[noreturn]] void bad_field(std::string_view field, std::string_view rule) {
  throw Error::invalid_argument(fmt::format("{}: \"{}\" {}", kWhat, field, rule));
}

void check_horizon(double horizon) {
  if (!(horizon > 0) || !std::isfinite(horizon)) {
    bad_field("horizon", "must be a positive number of time units (the fit's unit)");
  }
}

ServiceKey key_of(const std::string& by) {
  try {
    return parse_service_key(by);
  } catch (const Error& e) {
    bad_field("by", e.what());
  }
}

}  // namespace

void set_word_of_mouth_field(WordOfMouthAssumptions& a, std::string_view field, double value) {
  if (field == "told_satisfied_low") {
    a.told_satisfied_low = value;
  } else if (field == "told_satisfied_high") {
    a.told_satisfied_high = value;
  } else if (field == "told_unhappy") {
    a.told_unhappy = value;
  } else if (field == "conversion") {
    a.conversion = value;
  } else if (field == "satisfied_min_satisfaction") {
    a.satisfied_min_satisfaction = value;
  } else if (field == "unhappy_max_satisfaction") {
    a.unhappy_max_satisfaction = value;
  } else if (field == "value_per_prospect") {
    a.value_per_prospect = value;
  } else {
    bad_field(fmt::format("word_of_mouth.{}", field),
              "is not a field (known: told_satisfied_low, told_satisfied_high, told_unhappy, "
              "conversion, satisfied_min_satisfaction, unhappy_max_satisfaction, "
              "value_per_prospect)");
  }
}

void word_of_mouth_from_text(
    ServiceReportRequest& request,
    const std::function<std::optional<std::string>(const std::string& name)>& param) {
  for (const char* field :
       {"told_satisfied_low", "told_satisfied_high", "told_unhappy", "conversion",
        "satisfied_min_satisfaction", "unhappy_max_satisfaction", "value_per_prospect"}) {
    const std::string name = fmt::format("wom_{}", field);
    const std::optional<std::string> text = param(name);
    if (!text) continue;
    double v = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || end != text->data() + text->size()) {
      bad_field(name, fmt::format("'{}' is not a number", *text));
    }
    set_word_of_mouth_field(request.word_of_mouth, field, v);
  }
}

ServiceReport run_service_report(const std::string& db_path, const ServiceReportRequest& request) {
  check_horizon(request.horizon);
  if (request.run < 0) bad_field("run", "must be a run id (0 = the latest covariate fit)");
  // A mistyped path must not leave a new empty database behind (opening creates).
  if (!std::filesystem::exists(db_path)) {
    throw Error::not_found(
        fmt::format("no database at '{}' (import data first: clv import)", db_path));
  }
  try {
    validate_word_of_mouth(request.word_of_mouth);
  } catch (const Error& e) {
    bad_field("word_of_mouth", e.what());
  }
  // Each customer's sector referral value (clv/sector_economics.hpp), the
  // value `clv score` adds for a customer who stays.
  const PluginRegistry* plugins = request.plugins;
  auto sector_values = [&db_path, plugins](const std::vector<std::string>& ids) {
    ProspectValues out;
    const std::vector<std::string> sectors = database_customer_sectors(db_path, ids, "");
    std::map<std::string, double> by_sector;
    for (const std::string& sector : sectors) {
      auto it = by_sector.find(sector);
      if (it == by_sector.end()) {
        const SectorEconomicsUsed e = economics_for_sector(plugins, sector, {}, TimeUnit::week());
        it = by_sector.emplace(sector, e.referral_value).first;
        out.source +=
            fmt::format("{}{} {} ({})", out.source.empty() ? "" : ", ",
                        sector.empty() ? "(no sector)" : sector, e.referral_value, e.source);
      }
      out.values.push_back(it->second);
    }
    out.source = "sector referral value: " + out.source;
    return out;
  };
  return build_service_report(db_path, request.run, request.key, request.horizon,
                              request.word_of_mouth, sector_values);
}

ServiceReportRequest service_request_from_json(std::string_view text) {
  using nlohmann::json;
  const json j = parse_request_json(text, kWhat);
  if (!j.is_object()) {
    throw Error::invalid_argument(fmt::format(
        "{} must be a JSON object, e.g. {{\"by\": \"location\", \"horizon\": 26}}", kWhat));
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() != "by" && it.key() != "run" && it.key() != "horizon" &&
        it.key() != "word_of_mouth") {
      bad_field(it.key(), "is not a field (known: by, run, horizon, word_of_mouth)");
    }
  }
  ServiceReportRequest r;
  if (const auto it = j.find("by"); it != j.end()) {
    if (!it->is_string()) bad_field("by", "must be location, department, employee or region");
    r.key = key_of(it->get<std::string>());
  }
  if (const auto it = j.find("run"); it != j.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      bad_field("run", "must be a run id (0 = the latest covariate fit)");
    }
    r.run = it->get<int64_t>();
  }
  const auto horizon = j.find("horizon");
  if (horizon == j.end()) bad_field("horizon", "is required (a positive number of time units)");
  if (!horizon->is_number()) bad_field("horizon", "must be a positive number of time units");
  r.horizon = horizon->get<double>();
  check_horizon(r.horizon);
  if (const auto it = j.find("word_of_mouth"); it != j.end()) {
    if (!it->is_object()) bad_field("word_of_mouth", "must be an object of numbers");
    for (auto f = it->begin(); f != it->end(); ++f) {
      if (!f->is_number()) bad_field("word_of_mouth." + f.key(), "must be a number");
      set_word_of_mouth_field(r.word_of_mouth, f.key(), f->get<double>());
    }
  }
  return r;
}

ServiceReportRequest service_request_from_text(std::string_view by, std::string_view run,
                                               std::string_view horizon) {
  ServiceReportRequest r;
  if (!by.empty()) r.key = key_of(std::string(by));
  if (!run.empty()) {
    const auto [end, ec] = std::from_chars(run.data(), run.data() + run.size(), r.run);
    if (ec != std::errc() || end != run.data() + run.size() || r.run < 0) {
      bad_field("run", "must be a run id (0 = the latest covariate fit)");
    }
  }
  if (horizon.empty()) bad_field("horizon", "is required (a positive number of time units)");
  const auto [end, ec] =
      std::from_chars(horizon.data(), horizon.data() + horizon.size(), r.horizon);
  if (ec != std::errc() || end != horizon.data() + horizon.size()) {
    bad_field("horizon", fmt::format("'{}' is not a number", horizon));
  }
  check_horizon(r.horizon);
  return r;
}

}  // namespace clv

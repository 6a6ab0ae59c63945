#include "plugin_host/lever_schema.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "domain/nesting_limits.hpp"

namespace clv::plugin_host {
namespace {

using nlohmann::json;

const std::set<std::string> kEngineTargets = {"purchase_rate", "dropout_rate", "margin",
                                              "cost_to_serve", "referral_value"};
const std::set<std::string> kOperations = {"scale", "reduce", "add"};

std::string text(const json& object, const char* field, const std::string& where, bool required) {
  auto it = object.find(field);
  if (it == object.end()) {
    if (required) throw Error::plugin_error(fmt::format("{}: \"{}\" is missing", where, field));
    return {};
  }
  if (!it->is_string())
    throw Error::plugin_error(fmt::format("{}: \"{}\" must be a string", where, field));
  return it->get<std::string>();
}

double number(const json& object, const char* field, const std::string& where) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_number()) {
    throw Error::plugin_error(fmt::format("{}: \"{}\" must be a number", where, field));
  }
  const double value = it->get<double>();
  if (!std::isfinite(value))
    throw Error::plugin_error(fmt::format("{}: \"{}\" is not finite", where, field));
  return value;
}

json parse(const std::string& json_text, const std::string& who, const char* what) {
  if (json_depth_exceeded_at(json_text) != std::string_view::npos) {
    throw Error::plugin_error(
        fmt::format("{}: {} nest deeper than {} levels", who, what, kMaxJsonDepth));
  }
  try {
    return json::parse(json_text);
  } catch (const json::exception& e) {
    throw Error::plugin_error(fmt::format("{}: {} are not valid JSON: {}", who, what, e.what()));
  }
}

}  // namespace

std::vector<std::string> parse_covariate_names(const std::string& json_text,
                                               const std::string& who) {
  const json doc = parse(json_text, who, "covariate names");
  if (!doc.is_array())
    throw Error::plugin_error(fmt::format("{}: covariate names must be a JSON array", who));
  std::vector<std::string> names;
  for (const auto& item : doc) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      throw Error::plugin_error(fmt::format("{}: covariate names must be non-empty strings", who));
    }
    names.push_back(item.get<std::string>());
  }
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw Error::plugin_error(fmt::format("{}: covariate names must be unique", who));
  }
  return names;
}

std::vector<Lever> parse_levers(const std::string& json_text,
                                const std::vector<std::string>& covariate_names,
                                const std::string& who) {
  const json doc = parse(json_text, who, "levers");
  if (!doc.is_array())
    throw Error::plugin_error(fmt::format("{}: levers must be a JSON array", who));
  std::vector<Lever> levers;
  std::set<std::string> ids;
  for (const auto& item : doc) {
    if (!item.is_object())
      throw Error::plugin_error(fmt::format("{}: each lever must be an object", who));
    Lever lever;
    lever.id = text(item, "id", who + ": lever", true);
    const std::string where = fmt::format("{}: lever \"{}\"", who, lever.id);
    if (!ids.insert(lever.id).second) throw Error::plugin_error(where + " is declared twice");
    lever.label = text(item, "label", where, true);
    lever.description = text(item, "description", where, false);
    std::set<std::string> parameter_names;
    for (const auto& p : item.value("parameters", json::array())) {
      LeverParameter parameter;
      parameter.name = text(p, "name", where + " parameter", true);
      const std::string pwhere = fmt::format("{} parameter \"{}\"", where, parameter.name);
      parameter.description = text(p, "description", pwhere, false);
      parameter.unit = text(p, "unit", pwhere, false);
      parameter.min = number(p, "min", pwhere);
      parameter.max = number(p, "max", pwhere);
      parameter.default_value = number(p, "default", pwhere);
      if (!(parameter.min <= parameter.default_value && parameter.default_value <= parameter.max)) {
        throw Error::plugin_error(fmt::format("{}: default {} is outside [{}, {}]", pwhere,
                                              parameter.default_value, parameter.min,
                                              parameter.max));
      }
      parameter_names.insert(parameter.name);
      lever.parameters.push_back(std::move(parameter));
    }
    const json effects = item.value("effects", json::array());
    if (!effects.is_array() || effects.empty()) {
      throw Error::plugin_error(where + ": \"effects\" must list at least one effect");
    }
    for (const auto& e : effects) {
      LeverEffect effect;
      effect.target = text(e, "target", where + " effect", true);
      effect.operation = text(e, "operation", where + " effect", true);
      effect.parameter = text(e, "parameter", where + " effect", true);
      const bool covariate = effect.target.rfind("covariate:", 0) == 0;
      if (covariate) {
        const std::string name = effect.target.substr(10);
        if (std::find(covariate_names.begin(), covariate_names.end(), name) ==
            covariate_names.end()) {
          throw Error::plugin_error(
              fmt::format("{}: effect targets unknown covariate \"{}\"", where, name));
        }
      } else if (!kEngineTargets.count(effect.target)) {
        throw Error::plugin_error(
            fmt::format("{}: effect target \"{}\" is not covariate:<name>, purchase_rate, "
                        "dropout_rate, margin, "
                        "cost_to_serve or referral_value",
                        where, effect.target));
      }
      if (!kOperations.count(effect.operation)) {
        throw Error::plugin_error(fmt::format("{}: operation \"{}\" is not scale, reduce or add",
                                              where, effect.operation));
      }
      if (!parameter_names.count(effect.parameter)) {
        throw Error::plugin_error(
            fmt::format("{}: effect uses undeclared parameter \"{}\"", where, effect.parameter));
      }
      lever.effects.push_back(std::move(effect));
    }
    levers.push_back(std::move(lever));
  }
  return levers;
}

}  // namespace clv::plugin_host

#include "scenario/scenario_levers.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "scenario/parameter_draws.hpp"

namespace clv {
namespace {

std::string interval_text(const UncertainValue& u) {
  if (!u.uncertain()) return fmt::format("{:.4g}", u.value);
  return fmt::format("{:.4g} (90% {:.4g}..{:.4g})", u.value, *u.low90, *u.high90);
}

double draw_log_normal(const UncertainValue& u, std::mt19937_64& rng) {
  if (!u.uncertain()) return u.value;
  const double sd = sd_from_interval90(std::log(*u.low90), std::log(*u.high90));
  return std::exp(std::normal_distribution<double>(std::log(u.value), sd)(rng));
}

double draw_normal(const UncertainValue& u, std::mt19937_64& rng) {
  if (!u.uncertain()) return u.value;
  return std::normal_distribution<double>(u.value, sd_from_interval90(*u.low90, *u.high90))(rng);
}

[[noreturn]] void needs_covariate_model(const Scenario& s, const std::string& what,
                                        bool request_body) {
  throw Error::invalid_argument(fmt::format(
      "scenario '{}' ({}): {} acts on churn covariates, and this run has no fitted "
      "covariate model to carry it; {}, or use retention_offer / price / purchase_rate / margin",
      s.name, scenario_place(s.line, s.path), what, covariate_fit_advice(request_body)));
}

}  // namespace

std::string covariate_fit_advice(bool request_body) {
  if (request_body) {
    return "add \"covariate_fit\" to the request body: the JSON object that clv fit --db "
           "--covariates ... --out writes";
  }
  return "name a covariate fit (clv fit --db --covariates ... --out) as count_params with db = "
         "\"clv.db\" in [run]";
}

LeverValues premium_values(const LeverValues& v, const ServicePremium& premium) {
  LeverValues out = v;
  const double d = premium.price_increase;
  out.spend_factor *= 1 + d;
  out.purchase_rate_factor *= std::pow(1 + d, v.premium_elasticity);
  if (premium.costs_fixed) out.margin = std::clamp(1 - (1 - v.margin) / (1 + d), 0.0, 1.0);
  return out;
}

ScenarioLevers::ScenarioLevers(const Scenario& s, const std::vector<ResolvedPluginEffect>& plugin,
                               double base_margin, double horizon, bool covariate_model,
                               bool request_body)
    : base_margin_(base_margin) {
  if (s.incidents && !covariate_model) {
    needs_covariate_model(s, "the incidents lever", request_body);
  }
  if (!s.staff.empty() && !covariate_model) {
    needs_covariate_model(s, "the staff lever", request_body);
  }
  if (s.service_premium) {
    if (!covariate_model) {
      throw Error::invalid_argument(
          fmt::format("scenario '{}' ({}): service_premium ({}) charges customers by their "
                      "incident satisfaction, and this run has no incident records; {}",
                      s.name, scenario_place(s.line, s.path),
                      scenario_place(s.service_premium->line, s.service_premium->path),
                      covariate_fit_advice(request_body)));
    }
    premium_ = s.service_premium;
    const double d = premium_->price_increase;
    chain_.push_back(fmt::format(
        "service_premium: {:+.4g}% for customers with mean incident satisfaction >= {:.4g} "
        "(customers without a scored incident pay no premium) -> their spend per purchase x "
        "{:.4g}; purchase rate x (1 {:+.4g})^elasticity with elasticity {}{}",
        100 * d, premium_->min_satisfaction, 1 + d, d, interval_text(premium_->elasticity),
        premium_->costs_fixed ? "; unit costs fixed: margin m -> 1 - (1 - m) / (1 + change)" : ""));
  }
  if (s.retention_offer) {
    hazard_ = s.retention_offer->hazard_ratio;
    chain_.push_back(
        fmt::format("retention_offer: dropout hazard ratio {}", interval_text(*hazard_)));
  }
  if (s.purchase_rate_factor) {
    purchase_ = s.purchase_rate_factor;
    chain_.push_back(fmt::format("purchase_rate: purchase rate x {}", interval_text(*purchase_)));
  }
  if (s.price) {
    price_ = s.price;
    const double d = s.price->change;
    chain_.push_back(fmt::format(
        "price: {:+.4g}% -> spend per purchase x {:.4g}; purchase rate x (1 {:+.4g})^elasticity "
        "with elasticity {}{}",
        100 * d, 1 + d, d, interval_text(s.price->elasticity),
        s.price->costs_fixed ? fmt::format("; unit costs fixed: margin {:.4g} -> {:.4g}",
                                           base_margin, 1 - (1 - base_margin) / (1 + d))
                             : std::string()));
  }
  if (s.margin_add) {
    margin_add_ += *s.margin_add;
    chain_.push_back(fmt::format("margin: {:+.4g} points", 100 * *s.margin_add));
  }
  for (const ResolvedPluginEffect& e : plugin) {
    const double factor = e.operation == "scale"    ? 1 + e.value
                          : e.operation == "reduce" ? 1 - e.value
                                                    : 0.0;
    const bool add = e.operation == "add";
    std::string what;
    if (e.target.rfind("covariate:", 0) == 0) {
      // Folded into the incident levers (plugin_covariate_levers.hpp).
      if (covariate_model) continue;
      needs_covariate_model(s, fmt::format("plugin lever {} ({})", e.label, e.target),
                            request_body);
    } else if (e.target == "purchase_rate" && !add) {
      plugin_purchase_ *= factor;
      what = fmt::format("purchase rate x {:.4g}", factor);
    } else if (e.target == "dropout_rate" && !add) {
      plugin_hazard_ *= factor;
      what = fmt::format("dropout hazard ratio {:.4g}", factor);
    } else if (e.target == "margin") {
      if (add) {
        margin_add_ += e.value;
        what = fmt::format("margin {:+.4g} points", 100 * e.value);
      } else {
        margin_scale_ *= factor;
        what = fmt::format("margin x {:.4g}", factor);
      }
    } else if (e.target == "cost_to_serve" && add) {
      cost_per_targeted_ += e.value * horizon;
      plugin_cost_given_ = true;
      what = fmt::format("cost {:.4g} per customer per period x {:.4g} periods", e.value, horizon);
    } else {
      throw Error::invalid_argument(
          fmt::format("scenario '{}': plugin lever {} asks to {} {}, which what-if cannot apply",
                      s.name, e.label, e.operation, e.target));
    }
    if (!(factor > 0) && !add) {
      throw Error::invalid_argument(
          fmt::format("scenario '{}': plugin lever {} gives factor {} on {}; it must stay > 0",
                      s.name, e.label, factor, e.target));
    }
    chain_.push_back(
        fmt::format("{}: {} {} {:.4g} -> {}", e.label, e.target, e.operation, e.value, what));
  }
  const LeverValues p = point();
  if (!(p.margin >= 0 && p.margin <= 1)) {
    throw Error::invalid_argument(fmt::format(
        "scenario '{}' ({}): the levers give a margin of {:.4g}; it must stay in [0, 1]", s.name,
        scenario_place(s.line, s.path), p.margin));
  }
}

bool ScenarioLevers::moves_purchases() const {
  return purchase_.has_value() || plugin_purchase_ != 1.0 ||
         (price_ && price_->elasticity.value != 0) || (price_ && price_->elasticity.uncertain());
}

LeverValues ScenarioLevers::combine(double hazard, double purchase, double elasticity) const {
  LeverValues v;
  v.dropout_hazard_ratio = hazard * plugin_hazard_;
  v.purchase_rate_factor = purchase * plugin_purchase_;
  double margin = base_margin_;
  if (price_) {
    const double d = price_->change;
    v.spend_factor = 1 + d;
    v.purchase_rate_factor *= std::pow(1 + d, elasticity);
    if (price_->costs_fixed) margin = 1 - (1 - margin) / (1 + d);
  }
  v.margin = std::clamp(margin * margin_scale_ + margin_add_, 0.0, 1.0);
  return v;
}

LeverValues ScenarioLevers::point() const {
  LeverValues v = combine(hazard_ ? hazard_->value : 1.0, purchase_ ? purchase_->value : 1.0,
                          price_ ? price_->elasticity.value : 0.0);
  if (premium_) v.premium_elasticity = premium_->elasticity.value;
  // Unclamped check happens in the constructor through this margin.
  double margin = base_margin_;
  if (price_ && price_->costs_fixed) margin = 1 - (1 - margin) / (1 + price_->change);
  v.margin = margin * margin_scale_ + margin_add_;
  return v;
}

LeverValues ScenarioLevers::draw(std::mt19937_64& rng) const {
  const double h = hazard_ ? draw_log_normal(*hazard_, rng) : 1.0;
  const double f = purchase_ ? draw_log_normal(*purchase_, rng) : 1.0;
  const double e = price_ ? draw_normal(price_->elasticity, rng) : 0.0;
  LeverValues v = combine(h, f, e);
  if (premium_) v.premium_elasticity = draw_normal(premium_->elasticity, rng);
  return v;
}

}  // namespace clv

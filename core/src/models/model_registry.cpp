#include "models/model_registry.hpp"

#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "models/bg_bb.hpp"
#include "models/bg_nbd.hpp"
#include "models/gamma_gamma.hpp"
#include "models/pareto_nbd.hpp"
#include "models/rfm_rows.hpp"

namespace clv {
namespace {

class BgNbdScorer : public CountModelScorer {
 public:
  BgNbdScorer(const std::vector<double>& p, BgNbdVariant v) : p_{p[0], p[1], p[2], p[3]}, v_(v) {
    check_params(p_);
  }
  double p_alive(double x, double t_x, double T) const override {
    return bgnbd_p_alive(p_, v_, x, t_x, T);
  }
  double expected_purchases_if_alive(double x, double T, double t) const override {
    return bgnbd_expected_purchases_if_alive(p_, v_, x, T, t);
  }
  double discounted_purchases_if_alive(double x, double T, double horizon,
                                       double delta) const override {
    return bgnbd_discounted_purchases_if_alive(p_, v_, x, T, horizon, delta);
  }
  double expected_purchases_new(double t) const override {
    return bgnbd_expected_purchases(p_, v_, t);
  }
  double probability_of_purchases(double t, int k) const override {
    return bgnbd_probability_of_purchases(p_, v_, t, k);
  }

 private:
  BgNbdParams p_;
  BgNbdVariant v_;
};

class ParetoNbdScorer : public CountModelScorer {
 public:
  explicit ParetoNbdScorer(const std::vector<double>& p) : p_{p[0], p[1], p[2], p[3]} {
    validate_pnbd_params(p_);
  }
  double p_alive(double x, double t_x, double T) const override {
    return alive_.p_alive(p_, x, t_x, T);
  }
  double expected_purchases_if_alive(double x, double T, double t) const override {
    return pnbd_expected_if_alive(p_, x, T, t);
  }
  double discounted_purchases_if_alive(double x, double T, double horizon,
                                       double delta) const override {
    return pnbd_discounted_if_alive(p_, x, T, horizon, delta);
  }
  double expected_purchases_new(double t) const override { return pnbd_expected(p_, t); }
  double probability_of_purchases(double t, int k) const override {
    return pnbd_probability_of_n(p_, t, k);
  }

 private:
  ParetoNbdParams p_;
  // A scorer serves one scoring pass on one thread: memoising is safe.
  mutable PnbdAliveCache alive_;
};

// BG/BB times are whole transaction opportunities (T = periods); horizons are
// floored to whole periods.
int whole_periods(double t) {
  if (!(t >= 0) || t > 1e6) {
    throw Error::invalid_argument(fmt::format("BG/BB needs 0 <= periods <= 1e6, got {}", t));
  }
  return static_cast<int>(std::floor(t));
}

class BgBbScorer : public CountModelScorer {
 public:
  explicit BgBbScorer(const std::vector<double>& p) : p_{p[0], p[1], p[2], p[3]} {
    validate_bgbb_params(p_);
  }
  double p_alive(double x, double t_x, double T) const override {
    return bgbb_p_alive(p_, x, t_x, T);
  }
  double expected_purchases_if_alive(double x, double T, double t) const override {
    return bgbb_expected_if_alive(p_, x, T, t);
  }
  double discounted_purchases_if_alive(double x, double T, double horizon,
                                       double delta) const override {
    return bgbb_discounted_if_alive(p_, x, T, horizon, delta);
  }
  // Over the first floor(t) opportunities.
  double expected_purchases_new(double t) const override {
    return bgbb_expected(p_, whole_periods(t));
  }
  double probability_of_purchases(double t, int k) const override {
    return bgbb_probability_of_purchases(p_, whole_periods(t), k);
  }

 private:
  BgBbParams p_;
};

// Rows of weight 0 (customers left out of the fit, see fit_model) are dropped.
std::vector<BgBbRow> bgbb_rows(const SummaryTable& s) {
  std::vector<BgBbRow> rows;
  rows.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const double w = s.weight.empty() ? 1.0 : s.weight[i];
    if (w != 0.0) rows.push_back({s.x[i], s.t_x[i], s.T[i], w});
  }
  return rows;
}

ModelEntry bg_nbd_entry(const char* name, const char* description, BgNbdVariant v) {
  return ModelEntry{
      name,
      description,
      ModelRole::kPurchaseCount,
      {"r", "alpha", "a", "b"},
      [v](const SummaryTable& s, const FitOptions& o) -> std::unique_ptr<LikelihoodModel> {
        return std::make_unique<BgNbdLikelihood>(collapse_rfm(s.x, s.t_x, s.T, s.weight), v,
                                                 o.threads);
      },
      [v](const std::vector<double>& p) -> std::unique_ptr<CountModelScorer> {
        return std::make_unique<BgNbdScorer>(p, v);
      }};
}

std::vector<ModelEntry> make_registry() {
  std::vector<ModelEntry> models;
  models.push_back(
      bg_nbd_entry("bgnbd", "BG/NBD (Fader, Hardie & Lee 2005)", BgNbdVariant::kBgNbd));
  models.push_back(bg_nbd_entry("mbgnbd", "MBG/NBD (Batislam et al. 2007)", BgNbdVariant::kMbgNbd));
  models.push_back(ModelEntry{
      "gg",
      "Gamma-Gamma spend (Fader, Hardie & Lee 2005), fitted on customers with x > 0",
      ModelRole::kSpend,
      {"p", "q", "gamma"},
      [](const SummaryTable& s, const FitOptions&) -> std::unique_ptr<LikelihoodModel> {
        if (s.monetary.empty()) {
          throw Error::invalid_argument(
              "the gg model needs a spend column (monetary_value or zbar) in the summary");
        }
        return std::make_unique<GammaGammaLikelihood>(s.x, s.monetary, s.weight);
      },
      nullptr});
  models.push_back(ModelEntry{
      "pnbd",
      "Pareto/NBD (Schmittlein, Morrison & Colombo 1987)",
      ModelRole::kPurchaseCount,
      {"r", "alpha", "s", "beta"},
      [](const SummaryTable& s, const FitOptions& o) -> std::unique_ptr<LikelihoodModel> {
        return std::make_unique<ParetoNbdModel>(collapse_rfm(s.x, s.t_x, s.T, s.weight), o.threads);
      },
      [](const std::vector<double>& p) -> std::unique_ptr<CountModelScorer> {
        return std::make_unique<ParetoNbdScorer>(p);
      }});
  models.push_back(
      ModelEntry{"bgbb",
                 "BG/BB discrete-time (Fader, Hardie & Shang 2010); T = periods (opportunities)",
                 ModelRole::kPurchaseCount,
                 {"alpha", "beta", "gamma", "delta"},
                 [](const SummaryTable& s, const FitOptions&) -> std::unique_ptr<LikelihoodModel> {
                   return std::make_unique<BgBbModel>(bgbb_rows(s));
                 },
                 [](const std::vector<double>& p) -> std::unique_ptr<CountModelScorer> {
                   return std::make_unique<BgBbScorer>(p);
                 }});
  // sBG is fitted on survivor counts per period, not on a purchase summary:
  // fit_retention_file (clv/models.hpp) reads them and builds the likelihood.
  models.push_back(ModelEntry{
      "sbg",
      "shifted-beta-geometric retention (Fader & Hardie 2007); times in periods",
      ModelRole::kRetention,
      {"alpha", "beta"},
      [](const SummaryTable&, const FitOptions&) -> std::unique_ptr<LikelihoodModel> {
        throw Error::invalid_argument(
            "the sbg model is fitted on a retention file (period,survivors or periods,churned), "
            "not on a purchase summary");
      },
      nullptr});
  return models;
}

}  // namespace

const std::vector<ModelEntry>& all_models() {
  static const std::vector<ModelEntry> models = make_registry();
  return models;
}

const ModelEntry& find_model(const std::string& name) {
  std::string known;
  for (const ModelEntry& m : all_models()) {
    if (m.name == name) return m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  throw Error::invalid_argument(
      fmt::format("unknown or unavailable model '{}'; available: {}", name, known));
}

}  // namespace clv

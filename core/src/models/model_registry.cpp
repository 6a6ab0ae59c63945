#include "models/model_registry.hpp"

#include <fmt/format.h>

#include "clv/error.hpp"
#include "models/bg_nbd.hpp"
#include "models/gamma_gamma.hpp"
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

 private:
  BgNbdParams p_;
  BgNbdVariant v_;
};

ModelEntry bg_nbd_entry(const char* name, const char* description, BgNbdVariant v) {
  return ModelEntry{
      name,
      description,
      ModelKind::kPurchaseCount,
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
      ModelKind::kSpend,
      {"p", "q", "gamma"},
      [](const SummaryTable& s, const FitOptions&) -> std::unique_ptr<LikelihoodModel> {
        if (s.monetary.empty()) {
          throw Error::invalid_argument(
              "the gg model needs a spend column (monetary_value or zbar) in the summary");
        }
        return std::make_unique<GammaGammaLikelihood>(s.x, s.monetary, s.weight);
      },
      nullptr});
  // Pareto/NBD, BG/BB and sBG are added here as one entry each.
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

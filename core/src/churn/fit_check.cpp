// The fit check behind `clv fit` and the report: expected vs actual repeat
// purchases (the totals and the share without any), and holdout purchases.
// A wide gap usually means the data are not what the model assumes: several
// rows per visit (one per night of a stay, one per basket item) look like a
// burst of repeat purchases that no Poisson rate explains.
#include "clv/fit_check.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "math/chebyshev.hpp"
#include "models/bg_nbd.hpp"
#include "models/parallel_rows.hpp"
#include "models/pareto_nbd.hpp"

namespace clv {
namespace {

// Rows from which E[X(T)] and P(X(T) = 0) come from interpolants: below it
// the functions are evaluated per row (the interpolants cost ~200 calls).
constexpr size_t kFitCheckInterpolationRows = 4096;

bool beyond(double actual, double expected, double tolerance) {
  const double base = std::max(std::abs(expected), 1.0);
  return std::abs(actual - expected) / base > tolerance;
}

}  // namespace

FitCheck check_fit(const FitResult& fit, const RfmData& data,
                   const std::vector<double>& holdout_purchases, double holdout_length,
                   double tolerance) {
  FitCheck out;
  out.tolerance = tolerance;
  const size_t n = data.size();
  if (!holdout_purchases.empty() && holdout_purchases.size() != n) {
    throw Error::invalid_argument(
        fmt::format("{} holdout counts for {} customers", holdout_purchases.size(), n));
  }
  const bool pnbd = fit.model == "pnbd";
  const bool bg = fit.model == "bgnbd" || fit.model == "mbgnbd";
  if ((!pnbd && !bg) || fit.params.size() < 4 || n == 0) return out;
  out.supported = true;
  const BgNbdVariant variant = fit.model == "mbgnbd" ? BgNbdVariant::kMbgNbd : BgNbdVariant::kBgNbd;
  const ParetoNbdParams pp{fit.params[0], fit.params[1], fit.params[2], fit.params[3]};
  const BgNbdParams bp{fit.params[0], fit.params[1], fit.params[2], fit.params[3]};
  // E[X(T)] and P(X(T) = 0) depend on T alone. Summaries in fractional weeks
  // have almost one distinct T per customer, and each value costs a Gauss
  // hypergeometric series (BG/NBD) or a quadrature (Pareto/NBD): with many
  // rows both come from Chebyshev interpolants in log(shift + T), checked
  // against the functions themselves (math/chebyshev.hpp); if a check fails
  // every row takes the function directly, as below the row threshold.
  const auto expected_of = [&](double T) {
    return pnbd ? pnbd_expected(pp, T) : bgnbd_expected_purchases(bp, variant, T);
  };
  const auto zero_of = [&](double T) {
    return pnbd ? pnbd_probability_of_n(pp, T, 0)
                : bgnbd_probability_of_purchases(bp, variant, T, 0);
  };
  math::LogChebyshev expected_fn, zero_fn;
  if (n >= kFitCheckInterpolationRows) {
    double lo = data.T[0], hi = data.T[0];
    for (size_t i = 1; i < n; ++i) {
      lo = std::min(lo, data.T[i]);
      hi = std::max(hi, data.T[i]);
    }
    const double shift = pnbd ? std::min(pp.alpha, pp.beta) : bp.alpha;
    if (std::isfinite(lo) && std::isfinite(hi) && lo >= 0 &&
        expected_fn.build(expected_of, shift, lo, hi)) {
      zero_fn.build(zero_of, shift, lo, hi);
    }
  }
  const bool interpolate = expected_fn.ready() && zero_fn.ready();
  // Rows are split across threads, each chunk keeps its own sums, added in
  // chunk order.
  struct Sums {
    double weight = 0, zero = 0, expected_zero = 0, actual_repeat = 0, expected_repeat = 0;
    double actual_holdout = 0, expected_holdout = 0;
  };
  const bool with_holdout = !holdout_purchases.empty() && holdout_length > 0;
  const int chunks = row_chunks(n, 0);
  std::vector<Sums> partial(static_cast<size_t>(chunks));
  for_row_chunks(n, chunks, [&](size_t begin, size_t end, int chunk) {
    Sums& p = partial[static_cast<size_t>(chunk)];
    for (size_t i = begin; i < end; ++i) {
      const double w = data.weight.empty() ? 1.0 : data.weight[i];
      const double T = data.T[i];
      p.weight += w;
      p.actual_repeat += w * data.x[i];
      p.zero += data.x[i] == 0 ? w : 0.0;
      if (interpolate) {
        const double u = std::log(expected_fn.shift() + T);
        p.expected_repeat += w * expected_fn.at_u(u);
        p.expected_zero += w * zero_fn.at_u(u);
      } else {
        p.expected_repeat += w * expected_of(T);
        p.expected_zero += w * zero_of(T);
      }
      if (with_holdout) {
        p.actual_holdout += w * holdout_purchases[i];
        p.expected_holdout +=
            w * (pnbd ? pnbd_conditional_expected(pp, data.x[i], data.t_x[i], T, holdout_length)
                      : bgnbd_conditional_expected_purchases(bp, variant, data.x[i], data.t_x[i], T,
                                                             holdout_length));
      }
    }
  });
  double weight_sum = 0, zero = 0, expected_zero = 0;
  for (const Sums& p : partial) {
    weight_sum += p.weight;
    zero += p.zero;
    expected_zero += p.expected_zero;
    out.actual_repeat += p.actual_repeat;
    out.expected_repeat += p.expected_repeat;
    out.actual_holdout += p.actual_holdout;
    out.expected_holdout += p.expected_holdout;
  }
  out.actual_zero_share = zero / weight_sum;
  out.expected_zero_share = expected_zero / weight_sum;
  out.has_holdout = !holdout_purchases.empty() && holdout_length > 0;
  if (!std::isfinite(out.expected_repeat) || !std::isfinite(out.expected_holdout)) {
    out.misfit = true;
    out.warnings.push_back("the model's expected purchases are not finite: do not use this fit");
    return out;
  }
  if (beyond(out.actual_repeat, out.expected_repeat, tolerance)) {
    out.warnings.push_back(fmt::format(
        "calibration: the model expects {:.0f} repeat purchases, the data have {:.0f} ({:+.0f}%, "
        "tolerance {:.0f}%)",
        out.expected_repeat, out.actual_repeat,
        100.0 * (out.expected_repeat - out.actual_repeat) / std::max(out.actual_repeat, 1.0),
        100.0 * tolerance));
  }
  if (std::abs(out.actual_zero_share - out.expected_zero_share) > 0.1) {
    out.warnings.push_back(fmt::format(
        "calibration: {:.1f}% of customers made no repeat purchase, the model expects {:.1f}%",
        100.0 * out.actual_zero_share, 100.0 * out.expected_zero_share));
  }
  if (out.has_holdout && beyond(out.actual_holdout, out.expected_holdout, tolerance)) {
    out.warnings.push_back(fmt::format(
        "holdout: the model expects {:.0f} purchases, the data have {:.0f} (tolerance {:.0f}%)",
        out.expected_holdout, out.actual_holdout, 100.0 * tolerance));
  }
  out.misfit = !out.warnings.empty();
  if (out.misfit) {
    out.warnings.push_back(
        "likely causes: several rows per visit (one per night of a stay or per basket item: "
        "merge them into one purchase, e.g. by the sector plugin's folio/visit rules); a mix of "
        "very different customers (fit segments separately); a calibration period too short "
        "for the purchase cycle; or another model (compare pnbd, bgnbd)");
  }
  return out;
}

std::string fit_check_json(const FitCheck& c) {
  if (!c.supported) return "null";
  nlohmann::json j = {{"actual_repeat_purchases", c.actual_repeat},
                      {"expected_repeat_purchases", c.expected_repeat},
                      {"actual_no_repeat_share", c.actual_zero_share},
                      {"expected_no_repeat_share", c.expected_zero_share},
                      {"tolerance", c.tolerance},
                      {"misfit", c.misfit},
                      {"warnings", c.warnings}};
  if (c.has_holdout) {
    j["actual_holdout_purchases"] = c.actual_holdout;
    j["expected_holdout_purchases"] = c.expected_holdout;
  }
  // Non-finite sums are flagged in the warnings; JSON carries them as null.
  return j.dump();
}

std::string fit_check_text(const FitCheck& c) {
  if (!c.supported) return {};
  std::string out = fmt::format(
      "fit check: repeat purchases actual {:.0f}, model {:.0f}; no repeat purchase actual "
      "{:.1f}%, model {:.1f}%",
      c.actual_repeat, c.expected_repeat, 100.0 * c.actual_zero_share,
      100.0 * c.expected_zero_share);
  if (c.has_holdout) {
    out += fmt::format("; holdout purchases actual {:.0f}, model {:.0f}", c.actual_holdout,
                       c.expected_holdout);
  }
  out += fmt::format(" -> {}\n", c.misfit ? "MISFIT" : "ok");
  for (const auto& w : c.warnings) out += fmt::format("warning: {}\n", w);
  return out;
}

}  // namespace clv

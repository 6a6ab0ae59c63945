#include "models/pareto_nbd_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/special_functions/digamma.hpp>

namespace clv::pnbd_kernel {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// 10-point Gauss-Legendre on [-1, 1] (symmetric half).
constexpr double kGlNode[5] = {0.1488743389816312, 0.4333953941292472, 0.6794095682990244,
                               0.8650633666889845, 0.9739065285171717};
constexpr double kGlWeight[5] = {0.2955242247147529, 0.2692667193099963, 0.2190863625159820,
                                 0.1494513491505806, 0.0666713443086881};
const double kGlLogWeight[5] = {std::log(kGlWeight[0]), std::log(kGlWeight[1]),
                                std::log(kGlWeight[2]), std::log(kGlWeight[3]),
                                std::log(kGlWeight[4])};

// G(e, c, z) = 2F1(1, e; c; z) = sum_j (e)_j / (c)_j z^j for 0 < e < c and
// 0 <= z <= 1/2, with d log G / d e, d c and d z. Every term is positive and
// the term ratio is below z, so the sum needs at most ~55 terms.
struct SeriesResult {
  double log_value, d_e, d_c, d_z;
};

SeriesResult euler_series(double e, double c, double z) {
  double term = 1.0, sum = 1.0;
  double he = 0.0, hc = 0.0;  // running sums of 1/(e+i), 1/(c+i)
  double sum_e = 0.0, sum_c = 0.0, sum_z = 0.0;
  for (int j = 0; j < 200; ++j) {
    const double inv_c = 1.0 / (c + j);
    const double ratio = (e + j) * inv_c;
    // d term_{j+1} / dz = (j+1) term_j ratio: no division by z, exact at z = 0.
    sum_z += (j + 1) * term * ratio;
    he += 1.0 / (e + j);
    hc += inv_c;
    term *= ratio * z;
    sum += term;
    sum_e += term * he;
    sum_c -= term * hc;
    if (term * (j + 3) < 1e-17 * sum) break;
  }
  return {std::log(sum), sum_e / sum, sum_c / sum, sum_z / sum};
}

// The series coefficients depend on (e, c) only, i.e. on x and the shape
// parameters, not on the customer's rates: rows sorted by x reuse them, and
// the series becomes four polynomials in z without divisions.
struct SeriesTable {
  static constexpr int kTerms = 72;  // 0.5^72 * 75 < 1e-17: enough for z <= 1/2
  double e = -1.0, c = -1.0, log_a = 0.0;
  double rho[kTerms], rho_e[kTerms], rho_c[kTerms], rho_z[kTerms];

  void build(double e_new, double c_new) {
    e = e_new, c = c_new, log_a = std::log(c - 1.0);
    double term = 1.0, he = 0.0, hc = 0.0;
    for (int j = 0; j < kTerms; ++j) {
      rho[j] = term;
      rho_e[j] = term * he;
      rho_c[j] = -term * hc;
      const double ratio = (e + j) / (c + j);
      rho_z[j] = (j + 1) * term * ratio;  // (j+1) rho[j+1]
      he += 1.0 / (e + j);
      hc += 1.0 / (c + j);
      term *= ratio;
    }
  }
};

// G and its log-derivatives from a table; falls back to the direct sum when z
// is above 1/2 by more than rounding.
SeriesResult table_series(const SeriesTable& t, double z) {
  double zj = 1.0, sum = 0.0, sum_e = 0.0, sum_c = 0.0, sum_z = 0.0;
  for (int j = 0; j < SeriesTable::kTerms; ++j) {
    const double term = t.rho[j] * zj;
    sum += term;
    sum_e += t.rho_e[j] * zj;
    sum_c += t.rho_c[j] * zj;
    sum_z += t.rho_z[j] * zj;
    if (j >= 1 && term * (j + 3) < 1e-17 * sum) {
      return {std::log(sum), sum_e / sum, sum_c / sum, sum_z / sum};
    }
    zj *= z;
  }
  return euler_series(t.e, t.c, z);
}

// One table per shape of the series (alpha >= beta or not), per thread.
SeriesTable& cached_table(int which, double e, double c) {
  thread_local SeriesTable tables[2];
  SeriesTable& t = tables[which];
  if (t.e != e || t.c != c) t.build(e, c);
  return t;
}

// Sums of exp(l) and exp(l) * dl[0..3] relative to a running maximum.
struct ScaledSum {
  double ref = kNegInf, sum = 0.0, d[4] = {0, 0, 0, 0};
  void add(double l, const double dl[4]) {
    if (l > ref) {
      const double rescale = std::isfinite(ref) ? std::exp(ref - l) : 0.0;
      sum *= rescale;
      for (double& v : d) v *= rescale;
      ref = l;
    }
    const double w = std::exp(l - ref);
    sum += w;
    for (int k = 0; k < 4; ++k) d[k] += w * dl[k];
  }
};

// int_t^{u_end} (S+u)^-ps (B+u)^-pb du with S < B, u_end = B - 2S (where the
// series argument (B-S)/(B+u) reaches 1/2), by Gauss-Legendre in v = log(S+u):
// integrand exp(phi(v)), phi = (1-ps) v - pb log(D + e^v), D = B - S; phi is
// concave, so panel widths follow |phi'| and the sum stops once the rest is
// negligible. Derivatives are taken in the order (ps, S, pb, B).
ScaledSum tail_head_quadrature(double S, double ps, double B, double pb, double t) {
  const double D = B - S;
  const double v_end = std::log(D);
  auto slope = [&](double v) { return (1.0 - ps) - pb / (1.0 + D * std::exp(-v)); };
  ScaledSum acc;
  double v = std::log(S + t);
  for (int panel = 0; panel < 400 && v < v_end; ++panel) {
    double h = 2.0 / std::max(1.0, std::abs(slope(v)));
    h = std::min(h, 2.0 / std::max(1.0, std::abs(slope(v + h))));  // phi' is monotone
    h = std::min(h, v_end - v);
    if (!(h > 0.0)) break;  // v within rounding of v_end
    const double mid = v + 0.5 * h, half = 0.5 * h, log_half = std::log(half);
    for (int q = 0; q < 10; ++q) {
      const double node = mid + (q < 5 ? -half : half) * kGlNode[q % 5];
      const double ev = std::exp(node), base = D + ev, log_base = std::log(base);
      const double l = log_half + kGlLogWeight[q % 5] + (1.0 - ps) * node - pb * log_base;
      const double dl[4] = {-node, -ps / ev, -log_base, -pb / base};
      acc.add(l, dl);
    }
    v += h;
    // Past the maximum the concave phi decays at least as fast as its slope:
    // the remaining integral is below exp(phi(v)) / |phi'(v)|.
    const double sl = slope(v);
    if (sl < 0) {
      const double phi = (1.0 - ps) * v - pb * std::log(D + std::exp(v));
      if (phi - std::log(-sl) < acc.ref + std::log(acc.sum) - 41.0) break;
    }
  }
  return acc;
}

// log I(t) by the Euler-transformed series; needs z = |alpha-beta|/(max+t) <= ~1/2.
// la, lb: log(alpha+t), log(beta+t).
LogValueGrad log_tail_series(double r, double alpha, double s, double beta, double x, double t,
                             double la, double lb) {
  const double r_x = r + x, a = r_x + s, c = a + 1.0;
  LogValueGrad out;
  if (alpha >= beta) {
    // I = (alpha+t)^-(r+x) (beta+t)^-s / a * 2F1(1, r+x; a+1; (alpha-beta)/(alpha+t)).
    const double z = (alpha - beta) / (alpha + t);
    const SeriesTable& table = cached_table(0, r_x, c);
    const SeriesResult g = table_series(table, z);
    out.value = g.log_value - s * lb - r_x * la - table.log_a;
    out.d[0] = g.d_e + g.d_c - la - 1.0 / a;
    out.d[1] = g.d_z * (beta + t) / ((alpha + t) * (alpha + t)) - r_x / (alpha + t);
    out.d[2] = g.d_c - lb - 1.0 / a;
    out.d[3] = -g.d_z / (alpha + t) - s / (beta + t);
  } else {
    // I = (alpha+t)^-(r+x-1) (beta+t)^-(s+1) / a * 2F1(1, s+1; a+1; (beta-alpha)/(beta+t)).
    const double z = (beta - alpha) / (beta + t);
    const SeriesTable& table = cached_table(1, s + 1.0, c);
    const SeriesResult g = table_series(table, z);
    out.value = g.log_value - (r_x - 1.0) * la - (s + 1.0) * lb - table.log_a;
    out.d[0] = g.d_c - la - 1.0 / a;
    out.d[1] = -g.d_z / (beta + t) - (r_x - 1.0) / (alpha + t);
    out.d[2] = g.d_e + g.d_c - lb - 1.0 / a;
    out.d[3] = g.d_z * (alpha + t) / ((beta + t) * (beta + t)) - (s + 1.0) / (beta + t);
  }
  return out;
}

LogValueGrad log_tail_with_logs(double r, double alpha, double s, double beta, double x, double t,
                                double la, double lb);

}  // namespace

LogValueGrad log_tail(double r, double alpha, double s, double beta, double x, double t) {
  return log_tail_with_logs(r, alpha, s, beta, x, t, std::log(alpha + t), std::log(beta + t));
}

namespace {

LogValueGrad log_tail_with_logs(double r, double alpha, double s, double beta, double x, double t,
                                double la, double lb) {
  const double small = std::min(alpha, beta), big = std::max(alpha, beta);
  const double split = big - 2.0 * small;  // z(split) = 1/2
  if (!(t < split)) return log_tail_series(r, alpha, s, beta, x, t, la, lb);
  // The head (t, split) by quadrature, the rest by the series at z = 1/2.
  const bool alpha_small = alpha < beta;
  const double ps = alpha_small ? r + x : s + 1.0, pb = alpha_small ? s + 1.0 : r + x;
  const ScaledSum head = tail_head_quadrature(small, ps, big, pb, t);
  const LogValueGrad rest =
      log_tail_series(r, alpha, s, beta, x, split, std::log(alpha + split), std::log(beta + split));
  // t within rounding of the split (e.g. alpha = exp(log 3) a few ulps from
  // 3): the head is empty, and its zero sum must not turn the derivatives
  // into 0 / 0.
  if (!(head.sum > 0.0) || !std::isfinite(head.ref)) return rest;
  // Map (ps, S, pb, B) to (r, alpha, s, beta).
  double dh[4];
  if (alpha_small) {
    dh[0] = head.d[0], dh[1] = head.d[1], dh[2] = head.d[2], dh[3] = head.d[3];
  } else {
    dh[0] = head.d[2], dh[1] = head.d[3], dh[2] = head.d[0], dh[3] = head.d[1];
  }
  const double log_head = head.ref + std::log(head.sum);
  const double top = std::max(log_head, rest.value);
  const double w_head = std::exp(log_head - top), w_rest = std::exp(rest.value - top);
  const double total = w_head + w_rest;
  LogValueGrad out;
  out.value = top + std::log(total);
  for (int k = 0; k < 4; ++k) {
    out.d[k] = (w_head * dh[k] / head.sum + w_rest * rest.d[k]) / total;
  }
  return out;
}

}  // namespace

CountTerms count_terms(double r, double x) {
  return {std::lgamma(r + x) - std::lgamma(r),
          boost::math::digamma(r + x) - boost::math::digamma(r)};
}

double row_log_likelihood(double r, double alpha, double s, double beta, double x, double t_x,
                          double T, const CountTerms& counts, double* grad) {
  const double r_x = r + x;
  const double la = std::log(alpha + T), lb = std::log(beta + T);
  // Alive at T, and died in (t_x, T]; mixed on the log scale.
  double mix = -r_x * la - s * lb;
  double dmix[4] = {-la, -r_x / (alpha + T), -lb, -s / (beta + T)};
  if (t_x < T) {
    const bool at_zero = t_x == 0.0;
    const LogValueGrad at_tx = log_tail_with_logs(r, alpha, s, beta, x, t_x,
                                                  at_zero ? std::log(alpha) : std::log(alpha + t_x),
                                                  at_zero ? std::log(beta) : std::log(beta + t_x));
    const LogValueGrad at_T = log_tail_with_logs(r, alpha, s, beta, x, T, la, lb);
    const double w = std::exp(at_T.value - at_tx.value);
    // w >= 1 only when t_x is within rounding of T: the died part is then negligible.
    if (w < 1.0) {
      const double log_died = std::log(s) + at_tx.value + std::log1p(-w);
      if (std::isfinite(log_died)) {
        const double top = std::max(mix, log_died);
        const double p_alive = std::exp(mix - top), p_died = std::exp(log_died - top);
        const double total = p_alive + p_died;
        for (int k = 0; k < 4; ++k) {
          double dd = (at_tx.d[k] - w * at_T.d[k]) / (1.0 - w);
          if (k == 2) dd += 1.0 / s;
          dmix[k] = (p_alive * dmix[k] + p_died * dd) / total;
        }
        mix = top + std::log(total);
      }
    }
  }
  const double la0 = std::log(alpha), lb0 = std::log(beta);
  const double ll = counts.log_gamma_ratio + r * la0 + s * lb0 + mix;
  if (!std::isfinite(ll)) return kNegInf;
  if (grad) {
    grad[0] = r * (counts.digamma_diff + la0 + dmix[0]);
    grad[1] = alpha * (r / alpha + dmix[1]);
    grad[2] = s * (lb0 + dmix[2]);
    grad[3] = beta * (s / beta + dmix[3]);
    for (int k = 0; k < 4; ++k) {
      if (!std::isfinite(grad[k])) return kNegInf;
    }
  }
  return ll;
}

}  // namespace clv::pnbd_kernel

#include "models/rfm_rows.hpp"

#include <bit>
#include <cmath>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {
namespace {

uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t key_hash(double x, double t_x, double T) {
  uint64_t h = mix(std::bit_cast<uint64_t>(x + 0.0));  // + 0.0 folds -0 into 0
  h = mix(h ^ std::bit_cast<uint64_t>(t_x + 0.0));
  return mix(h ^ std::bit_cast<uint64_t>(T + 0.0));
}

}  // namespace

double RfmRows::total_weight() const {
  double total = 0.0;
  for (double w : weight) total += w;
  return total;
}

void validate_rfm(std::span<const double> x, std::span<const double> t_x, std::span<const double> T,
                  std::span<const double> weight) {
  if (x.size() != t_x.size() || x.size() != T.size() ||
      (!weight.empty() && weight.size() != x.size())) {
    throw Error::invalid_argument("x, t_x, T (and weights) must have the same length");
  }
  for (size_t i = 0; i < x.size(); ++i) {
    const double w = weight.empty() ? 1.0 : weight[i];
    const auto bad = [&](const char* what) {
      return Error::invalid_argument(fmt::format(
          "customer row {} (x={}, t_x={}, T={}, weight={}): {}", i, x[i], t_x[i], T[i], w, what));
    };
    if (!std::isfinite(x[i]) || !std::isfinite(t_x[i]) || !std::isfinite(T[i]) ||
        !std::isfinite(w)) {
      throw bad("values must be finite numbers");
    }
    if (x[i] < 0 || x[i] != std::floor(x[i])) throw bad("x must be a whole number >= 0");
    if (t_x[i] < 0) throw bad("t_x must be >= 0");
    if (T[i] < t_x[i]) throw bad("T must be >= t_x (the last purchase lies inside the period)");
    if (x[i] == 0 && t_x[i] != 0) throw bad("t_x must be 0 when x = 0");
    if (w < 0) throw bad("weight must be >= 0");
  }
}

RfmRows collapse_rfm(std::span<const double> x, std::span<const double> t_x,
                     std::span<const double> T, std::span<const double> weight) {
  validate_rfm(x, t_x, T, weight);
  RfmRows rows;
  // Open addressing with linear probing: slot holds row index + 1 (0 = empty).
  size_t capacity = 64;
  while (capacity < 2 * x.size()) capacity <<= 1;
  std::vector<uint32_t> slots(capacity, 0);
  const size_t mask = capacity - 1;
  for (size_t i = 0; i < x.size(); ++i) {
    const double w = weight.empty() ? 1.0 : weight[i];
    if (w == 0) continue;
    size_t s = key_hash(x[i], t_x[i], T[i]) & mask;
    while (true) {
      const uint32_t slot = slots[s];
      if (slot == 0) {
        slots[s] = static_cast<uint32_t>(rows.x.size() + 1);
        rows.x.push_back(x[i]);
        rows.t_x.push_back(t_x[i]);
        rows.T.push_back(T[i]);
        rows.weight.push_back(w);
        break;
      }
      const size_t r = slot - 1;
      if (rows.x[r] == x[i] && rows.t_x[r] == t_x[i] && rows.T[r] == T[i]) {
        rows.weight[r] += w;
        break;
      }
      s = (s + 1) & mask;
    }
  }
  return rows;
}

}  // namespace clv

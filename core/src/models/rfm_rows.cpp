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
  // Open addressing with linear probing, sized to the distinct rows (not the
  // customers) so the table stays in cache: slot = row index + 1, 0 = empty.
  struct Key {
    double x, t_x, T, weight;
  };
  std::vector<Key> keys;
  size_t capacity = 1024;
  std::vector<uint32_t> slots(capacity, 0);
  const auto insert_slot = [&](size_t row, uint64_t hash) {
    size_t s = hash & (capacity - 1);
    while (slots[s] != 0) s = (s + 1) & (capacity - 1);
    slots[s] = static_cast<uint32_t>(row + 1);
  };
  for (size_t i = 0; i < x.size(); ++i) {
    const double w = weight.empty() ? 1.0 : weight[i];
    if (w == 0) continue;
    const uint64_t hash = key_hash(x[i], t_x[i], T[i]);
    size_t s = hash & (capacity - 1);
    while (true) {
      const uint32_t slot = slots[s];
      if (slot == 0) {
        keys.push_back({x[i], t_x[i], T[i], w});
        slots[s] = static_cast<uint32_t>(keys.size());
        if (2 * keys.size() > capacity) {  // keep the load factor <= 1/2
          capacity *= 4;
          slots.assign(capacity, 0);
          for (size_t r = 0; r < keys.size(); ++r) {
            insert_slot(r, key_hash(keys[r].x, keys[r].t_x, keys[r].T));
          }
        }
        break;
      }
      Key& k = keys[slot - 1];
      if (k.x == x[i] && k.t_x == t_x[i] && k.T == T[i]) {
        k.weight += w;
        break;
      }
      s = (s + 1) & (capacity - 1);
    }
  }
  RfmRows rows;
  rows.x.reserve(keys.size());
  rows.t_x.reserve(keys.size());
  rows.T.reserve(keys.size());
  rows.weight.reserve(keys.size());
  for (const Key& k : keys) {
    rows.x.push_back(k.x);
    rows.t_x.push_back(k.t_x);
    rows.T.push_back(k.T);
    rows.weight.push_back(k.weight);
  }
  return rows;
}

}  // namespace clv

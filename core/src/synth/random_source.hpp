// A small, fast random engine for the generator. Each customer gets its own
// stream derived from (seed, customer index) so that a customer's history
// does not depend on how many draws earlier customers used, and seeding a
// million streams stays cheap (mt19937_64 would initialise 312 words each).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>

namespace clv::synth {

constexpr uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna); satisfies UniformRandomBitGenerator.
class RandomSource {
 public:
  using result_type = uint64_t;

  RandomSource(uint64_t seed, uint64_t stream) {
    uint64_t sm = seed ^ (stream * 0xD1B54A32D192ED03ull + 0x632BE59BD9B4E019ull);
    for (auto& word : s_) word = splitmix64(sm);
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<uint64_t>::max(); }

  result_type operator()() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool bernoulli(double p) { return uniform() < p; }
  // A zero rate means the event never happens.
  double exponential(double rate) {
    return rate > 0 ? -std::log1p(-uniform()) / rate : std::numeric_limits<double>::infinity();
  }
  double normal(double mean, double sd) {
    return std::normal_distribution<double>(mean, sd)(*this);
  }
  // Gamma with shape and *rate* (the parameterisation of the CLV literature).
  double gamma(double shape, double rate) {
    return std::gamma_distribution<double>(shape, 1.0 / rate)(*this);
  }
  int64_t poisson(double mean) { return std::poisson_distribution<int64_t>(mean)(*this); }
  size_t below(size_t n) { return static_cast<size_t>(uniform() * static_cast<double>(n)); }

  template <class T>
  size_t pick(std::span<const T> weighted) {
    double total = 0;
    for (const auto& w : weighted) total += w.weight;
    double u = uniform() * total;
    for (size_t i = 0; i < weighted.size(); ++i) {
      u -= weighted[i].weight;
      if (u < 0) return i;
    }
    return weighted.size() - 1;
  }

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace clv::synth

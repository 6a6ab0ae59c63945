#include "report/palette.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace clv::report {

namespace {

// Okabe & Ito (2008), "Color Universal Design"; black moved last because it
// reads as an axis colour.
constexpr std::array<const char*, 8> kOkabeIto = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                  "#56B4E9", "#D55E00", "#F0E442", "#000000"};

struct Rgb {
  double r, g, b;
};

// Viridis sampled at 9 evenly spaced stops (matplotlib's _viridis_data).
constexpr std::array<Rgb, 9> kViridis = {{{68, 1, 84},
                                          {71, 45, 123},
                                          {59, 82, 139},
                                          {44, 114, 142},
                                          {33, 145, 140},
                                          {39, 173, 129},
                                          {92, 200, 99},
                                          {170, 220, 50},
                                          {253, 231, 37}}};

Rgb viridis(double t) {
  if (!std::isfinite(t)) t = 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const double pos = t * (kViridis.size() - 1);
  const size_t i = std::min(static_cast<size_t>(pos), kViridis.size() - 2);
  const double f = pos - static_cast<double>(i);
  const Rgb& a = kViridis[i];
  const Rgb& b = kViridis[i + 1];
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

}  // namespace

std::string series_colour(int index) {
  const int n = static_cast<int>(kOkabeIto.size());
  return kOkabeIto[((index % n) + n) % n];
}

std::string sequential_colour(double t) {
  const Rgb c = viridis(t);
  return fmt::format("#{:02x}{:02x}{:02x}", static_cast<int>(std::lround(c.r)),
                     static_cast<int>(std::lround(c.g)), static_cast<int>(std::lround(c.b)));
}

std::string text_colour_on_sequential(double t) {
  const Rgb c = viridis(t);
  // Relative luminance (sRGB approximation) decides dark or light text.
  const double luminance = (0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b) / 255.0;
  return luminance > 0.5 ? "#111827" : "#ffffff";
}

}  // namespace clv::report

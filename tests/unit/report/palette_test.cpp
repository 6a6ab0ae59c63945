#include "report/palette.hpp"

#include <cmath>
#include <set>

#include <gtest/gtest.h>

namespace clv::report {
namespace {

TEST(Palette, SeriesColoursAreDistinctAndCycle) {
  std::set<std::string> seen;
  for (int i = 0; i < 8; ++i) seen.insert(series_colour(i));
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_EQ(series_colour(0), series_colour(8));
  EXPECT_EQ(series_colour(-1), series_colour(7));
  EXPECT_EQ(series_colour(0), "#0072B2");  // Okabe-Ito blue first
}

TEST(Palette, SequentialRampHasViridisEndpointsAndClamps) {
  EXPECT_EQ(sequential_colour(0.0), "#440154");
  EXPECT_EQ(sequential_colour(1.0), "#fde725");
  EXPECT_EQ(sequential_colour(-5.0), "#440154");
  EXPECT_EQ(sequential_colour(7.0), "#fde725");
  EXPECT_EQ(sequential_colour(std::nan("")), "#440154");
  EXPECT_EQ(sequential_colour(0.5), "#21918c");  // the middle stop exactly
}

TEST(Palette, SequentialRampGetsLighterMonotonically) {
  // Viridis is monotone in lightness, which is what keeps it readable in
  // greyscale and for colour-blind readers.
  double previous = -1;
  for (int i = 0; i <= 20; ++i) {
    const std::string c = sequential_colour(i / 20.0);
    const int r = std::stoi(c.substr(1, 2), nullptr, 16);
    const int g = std::stoi(c.substr(3, 2), nullptr, 16);
    const int b = std::stoi(c.substr(5, 2), nullptr, 16);
    const double luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    EXPECT_GT(luminance, previous) << c;
    previous = luminance;
  }
}

TEST(Palette, TextOnCellsContrasts) {
  EXPECT_EQ(text_colour_on_sequential(0.0), "#ffffff");
  EXPECT_EQ(text_colour_on_sequential(1.0), "#111827");
}

}  // namespace
}  // namespace clv::report

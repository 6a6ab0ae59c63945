// Colours chosen to stay distinguishable for colour-blind readers: the
// Okabe-Ito qualitative palette for series and the viridis ramp for
// continuous values (perceptually uniform, readable in greyscale).
#pragma once

#include <string>

namespace clv::report {

// The i-th series colour (cycles after 8), as "#rrggbb".
std::string series_colour(int index);

// Colour of t in [0, 1] on the viridis ramp; t is clamped, non-finite -> 0.
std::string sequential_colour(double t);

// Text colour readable on top of sequential_colour(t).
std::string text_colour_on_sequential(double t);

// Diverging pair for signed bars: raises (vermillion) vs lowers (blue).
inline constexpr const char* kPositiveColour = "#D55E00";
inline constexpr const char* kNegativeColour = "#0072B2";
inline constexpr const char* kInkColour = "#1f2937";
inline constexpr const char* kGridColour = "#e5e7eb";

}  // namespace clv::report

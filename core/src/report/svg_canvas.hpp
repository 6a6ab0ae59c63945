// Writes one <svg> chart element by hand. The root carries
// data-chart="<kind>", role="img" and <title>/<desc> for screen readers;
// marks (the elements that encode data) carry class "mark <shape>" and a
// <title> tooltip with their exact value, which is also what the browser
// test counts.
#pragma once

#include <string>
#include <string_view>

namespace clv::report {

// The inner rectangle where data is drawn, in SVG user units.
struct PlotArea {
  double left = 0, top = 0, right = 0, bottom = 0;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
};

class SvgCanvas {
 public:
  // `id` must be unique within the HTML document (it names the title/desc).
  SvgCanvas(std::string_view kind, std::string_view id, double width, double height,
            std::string_view title, std::string_view description);

  double width() const { return width_; }
  double height() const { return height_; }

  // A filled rectangle; negative sizes are normalized, tooltip optional.
  void rect(double x, double y, double w, double h, std::string_view css_class,
            std::string_view fill, std::string_view tooltip = {});
  void line(double x1, double y1, double x2, double y2, std::string_view css_class,
            std::string_view stroke, double stroke_width = 1.0, std::string_view dash = {});
  void circle(double cx, double cy, double r, std::string_view css_class, std::string_view fill,
              std::string_view tooltip = {});
  // An open polyline through (xs[i], ys[i]).
  void polyline(const double* xs, const double* ys, size_t n, std::string_view css_class,
                std::string_view stroke, double stroke_width, std::string_view tooltip = {},
                std::string_view dash = {});
  // anchor: "start", "middle" or "end"; rotate in degrees around (x, y).
  void text(double x, double y, std::string_view content, std::string_view css_class,
            std::string_view anchor = "start", double rotate = 0.0, std::string_view fill = {});
  void open_group(std::string_view css_class);
  void close_group();
  // Raw, already-safe markup (e.g. a <defs> block built from constants).
  void raw(std::string_view markup);

  // Closes the element and returns the markup; the canvas is spent after.
  std::string finish();

 private:
  std::string out_;
  double width_, height_;
};

}  // namespace clv::report

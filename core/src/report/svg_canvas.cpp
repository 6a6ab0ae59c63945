#include "report/svg_canvas.hpp"

#include <cmath>

#include <fmt/format.h>

#include "report/svg_text.hpp"

namespace clv::report {

namespace {

void append_tooltip(std::string& out, std::string_view tooltip) {
  if (!tooltip.empty()) out += fmt::format("<title>{}</title>", escape_xml(tooltip));
}

}  // namespace

SvgCanvas::SvgCanvas(std::string_view kind, std::string_view id, double width, double height,
                     std::string_view title, std::string_view description)
    : width_(width), height_(height) {
  const std::string safe_id = escape_xml(id);
  out_ = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"{0}\" id=\"{1}\" "
      "viewBox=\"0 0 {2} {3}\" width=\"{2}\" height=\"{3}\" style=\"max-width:{2}px\" "
      "role=\"img\" "
      "aria-labelledby=\"{1}-title {1}-desc\">"
      "<title id=\"{1}-title\">{4}</title><desc id=\"{1}-desc\">{5}</desc>",
      escape_xml(kind), safe_id, coord(width), coord(height), escape_xml(title),
      escape_xml(description));
}

void SvgCanvas::rect(double x, double y, double w, double h, std::string_view css_class,
                     std::string_view fill, std::string_view tooltip) {
  if (w < 0) {
    x += w;
    w = -w;
  }
  if (h < 0) {
    y += h;
    h = -h;
  }
  out_ +=
      fmt::format("<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">",
                  escape_xml(css_class), coord(x), coord(y), coord(w), coord(h), escape_xml(fill));
  append_tooltip(out_, tooltip);
  out_ += "</rect>";
}

void SvgCanvas::line(double x1, double y1, double x2, double y2, std::string_view css_class,
                     std::string_view stroke, double stroke_width, std::string_view dash) {
  out_ += fmt::format(
      "<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" "
      "stroke-width=\"{}\"",
      escape_xml(css_class), coord(x1), coord(y1), coord(x2), coord(y2), escape_xml(stroke),
      coord(stroke_width));
  if (!dash.empty()) out_ += fmt::format(" stroke-dasharray=\"{}\"", escape_xml(dash));
  out_ += "/>";
}

void SvgCanvas::circle(double cx, double cy, double r, std::string_view css_class,
                       std::string_view fill, std::string_view tooltip) {
  out_ += fmt::format("<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\">",
                      escape_xml(css_class), coord(cx), coord(cy), coord(r), escape_xml(fill));
  append_tooltip(out_, tooltip);
  out_ += "</circle>";
}

void SvgCanvas::polyline(const double* xs, const double* ys, size_t n, std::string_view css_class,
                         std::string_view stroke, double stroke_width, std::string_view tooltip,
                         std::string_view dash) {
  std::string points;
  points.reserve(n * 14);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) points += ' ';
    points += coord(xs[i]);
    points += ',';
    points += coord(ys[i]);
  }
  out_ += fmt::format(
      "<polyline class=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" "
      "stroke-linejoin=\"round\" stroke-linecap=\"round\"",
      escape_xml(css_class), points, escape_xml(stroke), coord(stroke_width));
  if (!dash.empty()) out_ += fmt::format(" stroke-dasharray=\"{}\"", escape_xml(dash));
  out_ += ">";
  append_tooltip(out_, tooltip);
  out_ += "</polyline>";
}

void SvgCanvas::text(double x, double y, std::string_view content, std::string_view css_class,
                     std::string_view anchor, double rotate, std::string_view fill) {
  out_ += fmt::format("<text class=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"{}\"",
                      escape_xml(css_class), coord(x), coord(y), escape_xml(anchor));
  if (rotate != 0.0) {
    out_ += fmt::format(" transform=\"rotate({} {} {})\"", coord(rotate), coord(x), coord(y));
  }
  if (!fill.empty()) out_ += fmt::format(" fill=\"{}\"", escape_xml(fill));
  out_ += fmt::format(">{}</text>", escape_xml(content));
}

void SvgCanvas::open_group(std::string_view css_class) {
  out_ += fmt::format("<g class=\"{}\">", escape_xml(css_class));
}

void SvgCanvas::close_group() {
  out_ += "</g>";
}

void SvgCanvas::raw(std::string_view markup) {
  out_ += markup;
}

std::string SvgCanvas::finish() {
  out_ += "</svg>";
  return std::move(out_);
}

}  // namespace clv::report

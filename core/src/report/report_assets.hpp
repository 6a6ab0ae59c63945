// The fixed CSS and script embedded in every report (no network access is
// ever needed to view it).
#pragma once

#include <string_view>

namespace clv::report {

std::string_view report_stylesheet();

// Runs after the page is laid out: checks that every <svg data-chart> has a
// non-zero bounding box and at least one mark, tags each chart with
// data-rendered="ok" or "empty", and sets data-rendered on <body> to "ok"
// only when all charts passed. The browser test reads these attributes.
std::string_view report_render_check_script();

}  // namespace clv::report

#include "progress_renderer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"

namespace clv::cli {
namespace {

bool is_bytes(std::string_view unit) {
  return unit == "bytes";
}

// 1234567 bytes -> "1.2 MB"; counts -> "1.2M".
std::string amount(double v, std::string_view unit) {
  static constexpr const char* kByteUnits[] = {"B", "kB", "MB", "GB", "TB"};
  static constexpr const char* kCountUnits[] = {"", "k", "M", "G", "T"};
  int i = 0;
  while (v >= 1000.0 && i < 4) v /= 1000.0, ++i;
  if (is_bytes(unit)) {
    return i == 0 ? fmt::format("{:.0f} B", v) : fmt::format("{:.1f} {}", v, kByteUnits[i]);
  }
  return i == 0 ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}{}", v, kCountUnits[i]);
}

std::string duration(double seconds) {
  const auto s = static_cast<uint64_t>(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

ProgressMode parse_progress_mode(std::string_view text) {
  if (text == "auto") return ProgressMode::kAuto;
  if (text == "bar") return ProgressMode::kBar;
  if (text == "json") return ProgressMode::kJson;
  if (text == "none") return ProgressMode::kNone;
  throw Error::invalid_argument(fmt::format("--progress {}: use auto, bar, json or none", text));
}

ProgressMode resolve_progress_mode(ProgressMode mode, bool quiet, bool stderr_is_terminal) {
  if (quiet) return ProgressMode::kNone;
  if (mode == ProgressMode::kAuto)
    return stderr_is_terminal ? ProgressMode::kBar : ProgressMode::kNone;
  return mode;
}

ProgressClock steady_progress_clock() {
  return [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
}

std::string format_progress_bar(const Progress& p, double rate, int width) {
  std::string line(p.stage);
  const bool bytes = is_bytes(p.unit);
  const auto done = static_cast<double>(p.done), total = static_cast<double>(p.total);
  if (p.total > 0) {
    const double fraction = std::clamp(done / total, 0.0, 1.0);
    const int filled = static_cast<int>(fraction * width);
    line += fmt::format(" [{}{}] {:3.0f}%", std::string(filled, '#'),
                        std::string(width - filled, '-'), std::floor(fraction * 100.0));
    line += bytes ? fmt::format("  {}/{}", amount(done, p.unit), amount(total, p.unit))
                  : fmt::format("  {}/{} {}", amount(done, p.unit), amount(total, p.unit), p.unit);
  } else {
    line += bytes ? fmt::format("  {}", amount(done, p.unit))
                  : fmt::format("  {} {}", amount(done, p.unit), p.unit);
  }
  if (p.items > 0) line += fmt::format(" ({} rows)", amount(static_cast<double>(p.items), ""));
  if (rate > 0 && std::isfinite(rate)) {
    line += bytes ? fmt::format("  {}/s", amount(rate, p.unit))
                  : fmt::format("  {}/s", amount(rate, ""));
    if (p.total > 0 && p.done < p.total) line += "  ETA " + duration((total - done) / rate);
  }
  return line;
}

std::string format_progress_json(const Progress& p, double elapsed) {
  nlohmann::ordered_json j = {{"event", "progress"},
                              {"stage", std::string(p.stage)},
                              {"done", p.done},
                              {"total", p.total},
                              {"unit", std::string(p.unit)},
                              {"elapsed", std::round(std::max(0.0, elapsed) * 1000.0) / 1000.0}};
  if (p.items > 0) j["items"] = p.items;
  return j.dump();
}

ProgressRenderer::ProgressRenderer(ProgressMode mode, std::FILE* out, ProgressClock clock,
                                   double min_interval)
    : mode_(mode), out_(out), clock_(std::move(clock)), min_interval_(min_interval) {
  if (mode_ == ProgressMode::kAuto) mode_ = ProgressMode::kNone;  // callers resolve it first
  started_ = clock_();
}

ProgressRenderer::~ProgressRenderer() {
  if (bar_open_) break_line();
}

void ProgressRenderer::update(const Progress& p) {
  if (mode_ == ProgressMode::kNone || ended_) return;
  const double now = clock_();
  const bool new_stage = p.stage != stage_;
  if (new_stage) {
    if (bar_open_) break_line();
    stage_.assign(p.stage);
    stage_started_ = now;
    stage_first_done_ = p.done;
  }
  const bool final_report = p.total > 0 && p.done >= p.total;
  if (!new_stage && !final_report && now - last_draw_ < min_interval_) return;
  draw(p, now);
}

void ProgressRenderer::draw(const Progress& p, double now) {
  last_draw_ = now;
  ++lines_;
  if (mode_ == ProgressMode::kJson) {
    fmt::print(out_, "{}\n", format_progress_json(p, now - started_));
    std::fflush(out_);
    return;
  }
  const double elapsed = now - stage_started_;
  const double rate =
      elapsed > 0.2 && p.done > stage_first_done_ ? (p.done - stage_first_done_) / elapsed : 0.0;
  // \r back to the start, the line, then clear what a longer previous line left.
  fmt::print(out_, "\r{}\x1b[K", format_progress_bar(p, rate));
  std::fflush(out_);
  bar_open_ = true;
}

void ProgressRenderer::break_line() {
  if (!bar_open_) return;
  fmt::print(out_, "\n");
  std::fflush(out_);
  bar_open_ = false;
}

void ProgressRenderer::end(bool ok) {
  if (ended_) return;
  ended_ = true;
  if (mode_ == ProgressMode::kBar) break_line();
  if (mode_ == ProgressMode::kJson) {
    const nlohmann::ordered_json j = {
        {"event", "end"},
        {"ok", ok},
        {"elapsed", std::round((clock_() - started_) * 1000.0) / 1000.0}};
    fmt::print(out_, "{}\n", j.dump());
    std::fflush(out_);
  }
}

ProgressCallback ProgressRenderer::callback() {
  if (mode_ == ProgressMode::kNone) return {};
  return [this](const Progress& p) { update(p); };
}

}  // namespace clv::cli

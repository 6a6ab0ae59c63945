// Draws clv::Progress reports for the `clv` command on stderr: a one-line
// bar redrawn at most ~10 times a second (for a terminal), or one JSON object
// per line (for machines). The clock is injectable so tests can drive the
// rate limiting without sleeping.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "clv/progress.hpp"

namespace clv::cli {

enum class ProgressMode { kAuto, kBar, kJson, kNone };

// "auto", "bar", "json" or "none"; throws clv::Error::invalid_argument.
ProgressMode parse_progress_mode(std::string_view text);

// kAuto becomes kBar when stderr is a terminal, else kNone; quiet is kNone.
ProgressMode resolve_progress_mode(ProgressMode mode, bool quiet, bool stderr_is_terminal);

// Seconds on a monotonic clock.
using ProgressClock = std::function<double()>;
ProgressClock steady_progress_clock();

// One bar line (no carriage return): stage, bar and percentage when the
// total is known, count, rate and ETA, e.g.
// "import [##########----------]  50%  12.0/24.0 MB  6.0 MB/s  ETA 0:02".
// `rate` is in units per second (<= 0: not shown); the ETA is shown when the
// total and a rate are known and done < total.
std::string format_progress_bar(const Progress& p, double rate, int width = 24);

// One JSON line (no newline): {"event":"progress","stage":...,"done":...,
// "total":...,"unit":...,"elapsed":seconds[,"items":n]}.
std::string format_progress_json(const Progress& p, double elapsed);

class ProgressRenderer {
 public:
  // `mode` must be resolved (kBar, kJson or kNone). Writes to `out`.
  ProgressRenderer(ProgressMode mode, std::FILE* out, ProgressClock clock = steady_progress_clock(),
                   double min_interval = 0.1);
  ~ProgressRenderer();
  ProgressRenderer(const ProgressRenderer&) = delete;
  ProgressRenderer& operator=(const ProgressRenderer&) = delete;

  // Draws `p` unless the last line was drawn less than min_interval ago; the
  // first report of a stage and a stage's final report (done == total) are
  // always drawn.
  void update(const Progress& p);
  // Finishes the output: the bar's line ends (so later stderr lines start on
  // their own line); JSON gets {"event":"end","elapsed":seconds,"ok":ok}.
  // Idempotent; later updates are ignored.
  void end(bool ok = true);
  // Ends a drawn bar line so an informational line can be printed below it;
  // the next update starts a new bar line.
  void break_line();

  // A callback for core options; empty in mode kNone (so core skips the work).
  ProgressCallback callback();
  ProgressMode mode() const { return mode_; }
  uint64_t lines_written() const { return lines_; }

 private:
  void draw(const Progress& p, double now);

  ProgressMode mode_;
  std::FILE* out_;
  ProgressClock clock_;
  double min_interval_;
  double started_ = 0;
  double last_draw_ = -1e300;
  std::string stage_;  // of the last report
  double stage_started_ = 0;
  uint64_t stage_first_done_ = 0;
  bool bar_open_ = false;  // a bar line is on screen without its newline
  bool ended_ = false;
  uint64_t lines_ = 0;
};

}  // namespace clv::cli

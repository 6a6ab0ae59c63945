// Progress of long jobs (import, summary, fits, churn scoring, what-if
// draws, report): one callback type that every long core function accepts
// through its options, so each front end draws progress its own way (the
// CLI a bar or JSON lines; the Engine and the C API may ignore it).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace clv {

// One report. `total` 0 means unknown (an optimizer does not know how many
// likelihood passes it needs); the last report of a stage has done == total.
// The views are valid only during the call.
struct Progress {
  std::string_view stage;  // "import", "summary", "fit", "churn", "whatif", ...
  uint64_t done = 0;
  uint64_t total = 0;
  std::string_view unit;  // what done counts: "bytes", "rows", "evaluations", "draws", ...
  uint64_t items = 0;     // records handled so far when done counts bytes (else 0)
};

// Called on the thread that called the core function, at a bounded rate:
// every kProgressRowStride rows of a row loop, once per likelihood pass of
// an optimizer, once per what-if draw. It should return quickly (a renderer
// rate-limits its own output); an exception it throws aborts the job.
using ProgressCallback = std::function<void(const Progress&)>;

// Rows between two reports in row loops: rare enough to cost nothing
// measurable, frequent enough for a 10 Hz bar on multi-second jobs.
inline constexpr uint64_t kProgressRowStride = uint64_t{1} << 16;

}  // namespace clv

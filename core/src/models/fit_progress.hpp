// FitOptions::progress for optimizers: every likelihood pass is one step of
// stage "fit". Nested fits (restarts, a subsample fit before the full one, a
// polish) report one monotone count: the outermost fit wraps the caller's
// callback in a PassCounter, inner fits see it wrapped and leave it alone.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "clv/fit_result.hpp"
#include "clv/progress.hpp"

namespace clv {

struct PassCounter {
  ProgressCallback sink;
  std::shared_ptr<uint64_t> passes;
  void operator()(const Progress&) const {
    ++*passes;
    sink(Progress{"fit", *passes, 0, "evaluations", 0});
  }
};

// Objectives call this once per likelihood pass.
inline void note_likelihood_pass(const ProgressCallback& progress) {
  if (progress) progress(Progress{"fit", 1, 0, "evaluations", 0});
}

class FitProgressScope {
 public:
  // Wraps options.progress unless it is empty or already counted.
  explicit FitProgressScope(FitOptions& options) {
    if (options.progress && options.progress.target<PassCounter>() == nullptr) {
      sink_ = std::move(options.progress);
      passes_ = std::make_shared<uint64_t>(0);
      options.progress = PassCounter{sink_, passes_};
    }
  }
  // The outermost fit's last report: done == total == passes made.
  void finish() {
    if (!passes_) return;
    const uint64_t n = *passes_;
    sink_(Progress{"fit", n, n, "evaluations", 0});
    passes_.reset();
  }

 private:
  ProgressCallback sink_;             // the caller's callback (outermost scope only)
  std::shared_ptr<uint64_t> passes_;  // null unless this scope wrapped it
};

}  // namespace clv

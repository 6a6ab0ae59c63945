// What the `clv` command prints besides its result: progress (--progress
// auto|bar|json|none) and informational stderr lines (silenced by --quiet).
// Errors and results are never silenced.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "progress_renderer.hpp"

namespace clv::cli {

struct OutputOptions {
  std::string progress = "auto";
  bool quiet = false;
};
OutputOptions& output_options();

// Adds --progress MODE and -q/--quiet to `app` (the main app, and the long
// subcommands so that the flags may also follow the subcommand).
void add_output_options(CLI::App& app);

// This run's renderer, built on first use from output_options() (so after
// the command line is parsed).
ProgressRenderer& progress();
// progress().callback(): empty (no work in core) when progress is off.
ProgressCallback progress_callback();
// Ends the progress output if any was set up (main calls it once).
void finish_progress(bool ok);

bool quiet();

// A step that core does in one call (reading a summary or a covariate file,
// the report's purchase history): its stage reported at 0 of `total` before
// and at total after, so a bar or JSON lines show the step while it runs.
template <typename F>
auto progress_step(std::string_view stage, uint64_t total, std::string_view unit, F&& work) {
  const ProgressCallback report = progress_callback();
  if (report) report(Progress{stage, 0, total, unit, 0});
  auto result = work();
  if (report) report(Progress{stage, total, total, unit, 0});
  return result;
}

// The size of `path` in bytes for progress_step (1 when it cannot be read:
// the step then fails with the reader's own message).
uint64_t file_bytes(const std::string& path);

// An informational stderr line (a newline is added), dropped with --quiet;
// a bar on screen is ended first so the line starts on its own.
template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (quiet()) return;
  progress().break_line();
  fmt::print(stderr, "{}\n", fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace clv::cli

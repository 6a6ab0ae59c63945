// What the `clv` command prints besides its result: progress (--progress
// auto|bar|json|none) and informational stderr lines (silenced by --quiet).
// Errors and results are never silenced.
#pragma once

#include <cstdio>
#include <string>
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

// An informational stderr line (a newline is added), dropped with --quiet;
// a bar on screen is ended first so the line starts on its own.
template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (quiet()) return;
  progress().break_line();
  fmt::print(stderr, "{}\n", fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace clv::cli

#include "cli_output.hpp"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <system_error>

namespace clv::cli {
namespace {

std::unique_ptr<ProgressRenderer>& renderer() {
  static std::unique_ptr<ProgressRenderer> instance;
  return instance;
}

}  // namespace

OutputOptions& output_options() {
  static OutputOptions options;
  return options;
}

void add_output_options(CLI::App& app) {
  OutputOptions& o = output_options();
  app.add_option("--progress", o.progress,
                 "Progress on stderr: auto (a bar on a terminal, else none), bar, json (one "
                 "JSON object per line) or none")
      ->check(CLI::IsMember({"auto", "bar", "json", "none"}));
  app.add_flag("-q,--quiet", o.quiet,
               "No progress and no informational stderr lines (errors and results still print)");
}

ProgressRenderer& progress() {
  auto& r = renderer();
  if (!r) {
    const OutputOptions& o = output_options();
    const ProgressMode mode =
        resolve_progress_mode(parse_progress_mode(o.progress), o.quiet, isatty(STDERR_FILENO) == 1);
    r = std::make_unique<ProgressRenderer>(mode, stderr);
  }
  return *r;
}

ProgressCallback progress_callback() {
  return progress().callback();
}

void finish_progress(bool ok) {
  if (renderer()) renderer()->end(ok);
}

bool quiet() {
  return output_options().quiet;
}

uint64_t file_bytes(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec || size == 0 ? 1 : static_cast<uint64_t>(size);
}

}  // namespace clv::cli

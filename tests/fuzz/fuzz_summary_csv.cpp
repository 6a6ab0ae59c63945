// libFuzzer target: untrusted per-customer summary CSV (lifetimes, Fader-
// Hardie and BG/BB headers) through read_summary_csv, which reads a path.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "clv/error.hpp"
#include "models/summary_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("clv_fuzz_summary_" + std::to_string(::getpid()) + ".csv"))
                                      .string();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    clv::read_summary_csv(path);
  } catch (const clv::Error&) {
  }
  return 0;
}

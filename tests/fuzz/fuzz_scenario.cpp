// libFuzzer target: untrusted scenario files, TOML and JSON (first byte picks
// which), through the depth limits and the scenario validator.
#include <cstdint>
#include <string>

#include "clv/error.hpp"
#include "clv/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    clv::parse_scenario_text(text, (data[0] & 1) ? "fuzz.json" : "fuzz.toml");
  } catch (const clv::Error&) {
  }
  return 0;
}

// libFuzzer target: untrusted transaction CSV bytes through the streaming
// summary (reader, column mapping, amount and date rules, accumulator). Any
// summary it returns must hold only finite numbers.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "clv/error.hpp"
#include "clv/summarize.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  clv::SummaryPeriod period;
  period.calibration_end_day = 20000;  // 2024-10-04
  period.holdout_end_day = 20100;
  period.unit = clv::TimeUnit::week();
  try {
    const clv::CustomerSummary s = clv::summarize_transaction_text(text, {}, period);
    for (size_t i = 0; i < s.size(); ++i) {
      if (!std::isfinite(s.recency[i]) || !std::isfinite(s.T[i]) ||
          !std::isfinite(s.monetary_value[i])) {
        std::abort();  // a number that must never reach an output
      }
    }
  } catch (const clv::Error&) {
  }
  return 0;
}

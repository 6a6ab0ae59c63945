#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "clv/summary_metadata.hpp"
#include "domain/calendar.hpp"

namespace clv {
namespace {

// Quotes an id only when CSV requires it.
void append_id(fmt::memory_buffer& out, std::string_view id) {
  if (id.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(id);
    return;
  }
  out.push_back('"');
  for (char c : id) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

void write_summary_csv(const CustomerSummary& summary, const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"),
                                                       &std::fclose);
  if (!file) throw Error::io(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  fmt::memory_buffer out;
  // The unit and calibration end travel with the numbers (clv/summary_metadata.hpp).
  const std::string metadata =
      format_summary_metadata(summary.period.unit, format_date(summary.period.calibration_end_day));
  out.append(metadata);
  out.push_back('\n');
  // A summary of a file without amounts has no spend columns.
  const bool spend = !summary.monetary_value.empty() || summary.size() == 0;
  fmt::format_to(std::back_inserter(out), "customer_id,frequency,recency,T{}{}\n",
                 spend ? ",monetary_value" : "",
                 summary.has_holdout()
                     ? (spend ? ",frequency_holdout,monetary_value_holdout,duration_holdout"
                              : ",frequency_holdout,duration_holdout")
                     : "");
  auto flush = [&] {
    if (std::fwrite(out.data(), 1, out.size(), file.get()) != out.size()) {
      throw Error::io(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    }
    out.clear();
  };
  for (size_t i = 0; i < summary.size(); ++i) {
    append_id(out, summary.ids[i]);
    fmt::format_to(std::back_inserter(out), ",{},{},{}", summary.frequency[i], summary.recency[i],
                   summary.T[i]);
    if (spend) fmt::format_to(std::back_inserter(out), ",{}", summary.monetary_value[i]);
    if (summary.has_holdout()) {
      fmt::format_to(std::back_inserter(out), ",{}", summary.frequency_holdout[i]);
      if (spend) fmt::format_to(std::back_inserter(out), ",{}", summary.monetary_value_holdout[i]);
      fmt::format_to(std::back_inserter(out), ",{}", summary.duration_holdout);
    }
    out.push_back('\n');
    if (out.size() > (1 << 16)) flush();
  }
  flush();
  if (std::fflush(file.get()) != 0) {
    throw Error::io(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  }
}

}  // namespace clv

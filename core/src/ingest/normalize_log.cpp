#include "ingest/normalize_log.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

NormalizeLog::NormalizeLog(std::string path, std::string source_name)
    : path_(std::move(path)), source_name_(std::move(source_name)) {}

NormalizeLog::~NormalizeLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void NormalizeLog::put_field(std::string_view text) {
  if (text.empty()) return;
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    std::fwrite(text.data(), 1, text.size(), file_);
    return;
  }
  std::fputc('"', file_);
  for (char c : text) {
    if (c == '"') std::fputc('"', file_);
    std::fputc(c, file_);
  }
  std::fputc('"', file_);
}

void NormalizeLog::write(const NormalizedRow& row) {
  if (file_ == nullptr) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) {
      throw Error::io(
          fmt::format("cannot write the normalization log '{}': {}", path_, std::strerror(errno)));
    }
    std::fputs(
        "file,line,sector,plugin,action,into_line,transaction_id,customer_id,kind,amount\r\n",
        file_);
  }
  put_field(source_name_);
  std::fprintf(file_, ",%llu,", static_cast<unsigned long long>(row.line));
  put_field(row.sector);
  std::fputc(',', file_);
  put_field(row.plugin);
  std::fputc(',', file_);
  put_field(row.action);
  std::fputc(',', file_);
  if (row.into_line > 0)
    std::fprintf(file_, "%llu", static_cast<unsigned long long>(row.into_line));
  std::fputc(',', file_);
  put_field(row.transaction_id);
  std::fputc(',', file_);
  put_field(row.customer_id);
  std::fputc(',', file_);
  put_field(row.kind);
  // Minor units back to the decimal the file had.
  int64_t scale = 1;
  for (int e = 0; e < row.exponent; ++e) scale *= 10;
  const int64_t magnitude = std::llabs(row.amount_minor);
  if (row.exponent == 0) {
    std::fprintf(file_, ",%s%lld\r\n", row.amount_minor < 0 ? "-" : "",
                 static_cast<long long>(magnitude));
  } else {
    std::fprintf(file_, ",%s%lld.%0*lld\r\n", row.amount_minor < 0 ? "-" : "",
                 static_cast<long long>(magnitude / scale), row.exponent,
                 static_cast<long long>(magnitude % scale));
  }
  ++count_;
}

void NormalizeLog::close() {
  if (file_ == nullptr) return;
  const bool failed = std::ferror(file_) != 0;
  const bool close_failed = std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed || close_failed)
    throw Error::io(fmt::format("writing the normalization log '{}' failed", path_));
}

}  // namespace clv

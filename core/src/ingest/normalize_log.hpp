// Lists the rows a sector plugin dropped (netted, merged, cancelled) or
// flagged for review as RFC 4180 CSV, so that normalization never loses a row
// silently: file,line,sector,plugin,action,into_line,transaction_id,customer_id,kind,amount.
// The file is created on the first row, so an import without any leaves none.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace clv {

struct NormalizedRow {
  uint64_t line = 0;
  std::string_view sector, plugin, action;
  uint64_t into_line = 0;  // the row it was merged/netted into; 0 if none
  std::string_view transaction_id, customer_id, kind;
  int64_t amount_minor = 0;
  int exponent = 2;
};

class NormalizeLog {
 public:
  NormalizeLog(std::string path, std::string source_name);
  NormalizeLog(const NormalizeLog&) = delete;
  NormalizeLog& operator=(const NormalizeLog&) = delete;
  ~NormalizeLog();

  void write(const NormalizedRow& row);
  void close();  // flushes; throws clv::Error on write failure
  uint64_t count() const { return count_; }
  const std::string& path() const { return path_; }

 private:
  void put_field(std::string_view text);
  std::string path_;
  std::string source_name_;
  std::FILE* file_ = nullptr;
  uint64_t count_ = 0;
};

}  // namespace clv

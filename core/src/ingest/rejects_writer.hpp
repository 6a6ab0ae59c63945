// Writes rejected rows as RFC 4180 CSV: file,line,column,reason,original_text.
// The file is created on the first reject, so a clean import leaves none.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace clv {

class RejectsWriter {
 public:
  RejectsWriter(std::string path, std::string source_name);
  RejectsWriter(const RejectsWriter&) = delete;
  RejectsWriter& operator=(const RejectsWriter&) = delete;
  ~RejectsWriter();

  void write(uint64_t line, std::string_view column, std::string_view reason,
             std::string_view original_text);
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

// A faster record reader for the streaming summary over delimited files. It
// fills the same CsvRecord as CsvReader (ingest/csv_reader.hpp) with the same
// fields, raw text, line numbers and errors: plain lines (no quote and no
// bare '\r') are split here with one memchr for the line end and one tight
// byte loop; any other record (quoted fields, embedded line breaks, old Mac
// line ends) is handed to CsvReader, so the RFC 4180 rules live in one place.
// Reads through one fixed buffer that grows only for a record larger than it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/csv_reader.hpp"

namespace clv {

class RowScanner {
 public:
  // Opens `path`; throws clv::Error (not_found / io) as CsvReader does.
  RowScanner(const std::string& path, char delimiter, size_t buffer_bytes = 1 << 20);
  // Reads from memory; the text must outlive the scanner.
  static RowScanner from_text(std::string_view text, char delimiter);

  RowScanner(RowScanner&&) noexcept;
  RowScanner& operator=(RowScanner&&) = delete;
  RowScanner(const RowScanner&) = delete;
  ~RowScanner();

  // Reads the next non-blank record; false at the end of input. Fields are
  // valid until the next call.
  bool next(CsvRecord& record);

  // Input bytes consumed so far and the input's size (0 when unknown).
  uint64_t bytes_consumed() const { return read_before_ + pos_; }
  uint64_t total_bytes() const { return total_bytes_; }

 private:
  explicit RowScanner(char delimiter) : delimiter_(delimiter) {}
  bool refill();  // moves unparsed bytes to the front and reads more
  const char* find_special(const char* p, const char* line_end, const char* stop) const;
  enum class Parse { kRecord, kNeedMore, kEnd };
  // Parses one record at pos_ with CsvReader; kNeedMore when it may continue
  // past the bytes read so far (then refill and call again).
  Parse parse_slow(CsvRecord& record);

  char delimiter_;
  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
  const char* data_ = nullptr;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool bom_checked_ = false;
  uint64_t line_ = 1;
  uint64_t read_before_ = 0;  // bytes before buffer_[0]
  uint64_t total_bytes_ = 0;
  std::optional<CsvReader> slow_;  // keeps the last slow record's unescaped fields alive
};

}  // namespace clv

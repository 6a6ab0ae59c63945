// Streaming reader for delimited text: RFC 4180 CSV (quoted fields with
// embedded delimiters, newlines and doubled quotes, CRLF or LF, a UTF-8 BOM)
// and whitespace-separated files such as CDNOW_master.txt. It reads through
// one fixed buffer, so memory does not grow with the file, and hands out
// string_views into that buffer: the import and summary hot paths never
// allocate per field.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace clv {

enum class CsvFormat {
  kDelimited,   // RFC 4180 with `delimiter` (',' by default, ';' or '\t' allowed)
  kWhitespace,  // fields separated by runs of spaces or tabs, no quoting
};

struct CsvDialect {
  CsvFormat format = CsvFormat::kDelimited;
  char delimiter = ',';
};

// One record. Fields are valid until the next call to CsvReader::next.
struct CsvRecord {
  std::vector<std::string_view> fields;
  std::string_view raw;  // the record's original text, without the line end
  uint64_t line = 0;     // 1-based physical line where the record starts
  std::string error;     // non-empty when the record is malformed (e.g. a
                         // quote that never closes); fields are best effort
};

class CsvReader {
 public:
  // Opens `path` for reading; throws clv::Error (not_found / io) on failure.
  CsvReader(const std::string& path, CsvDialect dialect = {}, size_t buffer_bytes = 1 << 20);
  // Reads from memory (tests, CRM batches); the text must outlive the reader.
  static CsvReader from_text(std::string_view text, CsvDialect dialect = {});

  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) = delete;
  CsvReader(const CsvReader&) = delete;
  ~CsvReader();

  // Reads the next non-blank record; false at the end of input.
  bool next(CsvRecord& record);

  // Records that span lines (a quoted field with line breaks) and then turn
  // out malformed, or have other than `n` fields, are cut back to their first
  // line and reading resumes on the next: an unterminated quote must not
  // swallow the valid rows after it. 0 (the default): no recovery, records
  // are read exactly as RFC 4180 says (as summary/row_scanner.hpp reads them).
  void expect_fields(size_t n) { expected_fields_ = n; }

  uint64_t bytes_consumed() const { return consumed_before_buffer_ + pos_; }
  uint64_t total_bytes() const { return total_bytes_; }  // 0 when unknown
  const std::string& path() const { return path_; }

 private:
  CsvReader(CsvDialect dialect, size_t buffer_bytes);
  bool refill();  // moves unparsed bytes to the front and reads more
  enum class Parse { kRecord, kNeedMore, kEnd };
  Parse parse_delimited(CsvRecord& record);
  Parse parse_whitespace(CsvRecord& record);

  CsvDialect dialect_;
  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
  std::string scratch_;  // unescaped copies of quoted fields with ""
  const char* data_ = nullptr;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool bom_checked_ = false;
  uint64_t line_ = 1;
  uint64_t consumed_before_buffer_ = 0;
  uint64_t total_bytes_ = 0;
  size_t expected_fields_ = 0;
};

}  // namespace clv

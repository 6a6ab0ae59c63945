#include "ingest/csv_reader.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

CsvReader::CsvReader(CsvDialect dialect, size_t buffer_bytes) : dialect_(dialect) {
  buffer_.resize(buffer_bytes < 64 ? 64 : buffer_bytes);
}

CsvReader::CsvReader(const std::string& path, CsvDialect dialect, size_t buffer_bytes)
    : CsvReader(dialect, buffer_bytes) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) {
    const int err = errno;
    if (err == ENOENT) throw Error::not_found(fmt::format("cannot open '{}': no such file", path));
    throw Error::io(fmt::format("cannot open '{}': {}", path, std::strerror(err)));
  }
  std::setvbuf(file_, nullptr, _IONBF, 0);  // we buffer ourselves
  if (std::fseek(file_, 0, SEEK_END) == 0) {
    const long size = std::ftell(file_);
    if (size > 0) total_bytes_ = static_cast<uint64_t>(size);
    std::fseek(file_, 0, SEEK_SET);
  }
  data_ = buffer_.data();
}

CsvReader CsvReader::from_text(std::string_view text, CsvDialect dialect) {
  CsvReader reader(dialect, 64);
  reader.buffer_.clear();
  reader.data_ = text.data();
  reader.end_ = text.size();
  reader.eof_ = true;
  reader.total_bytes_ = text.size();
  return reader;
}

CsvReader::CsvReader(CsvReader&& other) noexcept
    : dialect_(other.dialect_),
      path_(std::move(other.path_)),
      file_(other.file_),
      buffer_(std::move(other.buffer_)),
      scratch_(std::move(other.scratch_)),
      data_(other.file_ != nullptr ? buffer_.data() : other.data_),
      pos_(other.pos_),
      end_(other.end_),
      eof_(other.eof_),
      bom_checked_(other.bom_checked_),
      line_(other.line_),
      consumed_before_buffer_(other.consumed_before_buffer_),
      total_bytes_(other.total_bytes_) {
  other.file_ = nullptr;
}

CsvReader::~CsvReader() {
  if (file_ != nullptr) std::fclose(file_);
}

bool CsvReader::refill() {
  if (eof_ || file_ == nullptr) return false;
  const size_t remaining = end_ - pos_;
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, remaining);
    consumed_before_buffer_ += pos_;
    pos_ = 0;
    end_ = remaining;
  }
  if (end_ == buffer_.size())
    buffer_.resize(buffer_.size() * 2);  // a record larger than the buffer
  data_ = buffer_.data();
  const size_t got = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
  if (got == 0) {
    if (std::ferror(file_)) {
      throw Error::io(fmt::format("read error in '{}': {}", path_, std::strerror(errno)));
    }
    eof_ = true;
    return false;
  }
  end_ += got;
  return true;
}

bool CsvReader::next(CsvRecord& record) {
  for (;;) {
    if (!bom_checked_) {
      if (end_ - pos_ < 3 && !eof_) {
        refill();
        continue;
      }
      if (end_ - pos_ >= 3 && std::memcmp(data_ + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
      bom_checked_ = true;
    }
    const Parse result = dialect_.format == CsvFormat::kWhitespace ? parse_whitespace(record)
                                                                   : parse_delimited(record);
    if (result == Parse::kRecord) return true;
    if (result == Parse::kEnd) return false;
    // kNeedMore: the record runs past the buffer; read more and parse it again.
    if (!refill()) eof_ = true;
  }
}

namespace {

constexpr size_t kMaxQuotedBytes = size_t{16} << 20;

// Ends a record at `i` (pointing at '\r', '\n' or the end); returns the index
// just past the line end.
inline size_t skip_line_end(const char* d, size_t i, size_t end) {
  if (i < end && d[i] == '\r') ++i;
  if (i < end && d[i] == '\n') ++i;
  return i;
}

}  // namespace

CsvReader::Parse CsvReader::parse_delimited(CsvRecord& record) {
  const char* d = data_;
  const char delim = dialect_.delimiter;
  size_t i = pos_;
  // Blank lines are not records (RFC 4180 is silent; every CSV tool skips them).
  uint64_t line = line_;
  for (;;) {
    if (i == end_) {
      if (!eof_) return Parse::kNeedMore;
      pos_ = i;
      line_ = line;
      return Parse::kEnd;
    }
    if (d[i] == '\n') {
      ++i, ++line;
    } else if (d[i] == '\r' && (i + 1 < end_ || eof_)) {
      i = skip_line_end(d, i, end_), ++line;
    } else if (d[i] == '\r') {
      return Parse::kNeedMore;
    } else {
      break;
    }
  }
  const size_t start = i;
  record.fields.clear();
  record.error.clear();
  record.line = line;
  uint64_t newlines_inside = 0;
  bool scratch_reserved = false;
  for (;;) {
    if (d[i] == '"') {
      // Quoted field: runs to the next quote not followed by another quote.
      size_t j = i + 1;
      bool escaped = false;
      for (;;) {
        const void* q = j < end_ ? std::memchr(d + j, '"', end_ - j) : nullptr;
        if (q == nullptr) {
          // A quoted field of megabytes is an unterminated quote, not data:
          // stop buffering the rest of the file into it.
          if (!eof_ && end_ - i < kMaxQuotedBytes) return Parse::kNeedMore;
          record.error = "quoted field never closes (missing '\"')";
          j = end_;
          break;
        }
        j = static_cast<const char*>(q) - d;
        if (j + 1 < end_ && d[j + 1] == '"') {
          escaped = true;
          j += 2;
          continue;
        }
        if (j + 1 == end_ && !eof_) return Parse::kNeedMore;
        break;
      }
      const size_t content_end = j < end_ ? j : end_;
      for (size_t k = i + 1; k < content_end; ++k) newlines_inside += d[k] == '\n';
      std::string_view content(d + i + 1, content_end - i - 1);
      if (escaped) {
        if (!scratch_reserved) {
          // Reserve once per record so earlier views into scratch_ stay valid.
          scratch_.clear();
          scratch_.reserve(end_ - start);
          scratch_reserved = true;
        }
        const size_t at = scratch_.size();
        for (size_t k = 0; k < content.size(); ++k) {
          scratch_.push_back(content[k]);
          if (content[k] == '"') ++k;  // "" -> "
        }
        content = std::string_view(scratch_.data() + at, scratch_.size() - at);
      }
      record.fields.push_back(content);
      i = content_end < end_ ? content_end + 1 : end_;
      if (i < end_ && d[i] != delim && d[i] != '\r' && d[i] != '\n' && record.error.empty()) {
        record.error = fmt::format("unexpected character '{}' after a closing quote", d[i]);
        while (i < end_ && d[i] != delim && d[i] != '\r' && d[i] != '\n') ++i;
      }
    } else {
      size_t j = i;
      while (j < end_) {
        const char c = d[j];
        if (c == delim || c == '\n' || c == '\r') break;
        ++j;
      }
      if (j == end_ && !eof_) return Parse::kNeedMore;
      record.fields.emplace_back(d + i, j - i);
      i = j;
    }
    if (i < end_ && d[i] == delim) {
      ++i;
      if (i == end_) {
        if (!eof_) return Parse::kNeedMore;
        record.fields.emplace_back();  // trailing delimiter: one last empty field
        break;
      }
      continue;
    }
    break;  // '\r', '\n' or end of input
  }
  if (i < end_ && d[i] == '\r' && i + 1 == end_ && !eof_) return Parse::kNeedMore;
  if (newlines_inside > 0 && expected_fields_ > 0 &&
      (!record.error.empty() || record.fields.size() != expected_fields_)) {
    // Recover at the next line: cut the record back to its first line.
    size_t line_end = start;
    while (d[line_end] != '\n') ++line_end;  // exists: a quoted field holds one
    const size_t next = line_end + 1;
    if (line_end > start && d[line_end - 1] == '\r') --line_end;
    if (record.error.empty()) {
      record.error = fmt::format(
          "a quoted field runs over {} line breaks and leaves {} fields where {} are expected: "
          "probably a quote that never closes",
          newlines_inside, record.fields.size(), expected_fields_);
    }
    record.error += "; the reject is this line only, the next line is read as a new record";
    record.fields.clear();
    record.raw = std::string_view(d + start, line_end - start);
    pos_ = next;
    line_ = line + 1;
    return Parse::kRecord;
  }
  record.raw = std::string_view(d + start, i - start);
  pos_ = skip_line_end(d, i, end_);
  line_ = line + 1 + newlines_inside;
  return Parse::kRecord;
}

CsvReader::Parse CsvReader::parse_whitespace(CsvRecord& record) {
  const char* d = data_;
  size_t i = pos_;
  uint64_t line = line_;
  // Find a complete non-blank line.
  for (;;) {
    size_t j = i;
    while (j < end_ && d[j] != '\n') ++j;
    if (j == end_ && !eof_) return Parse::kNeedMore;
    size_t line_end = j;
    if (line_end > i && d[line_end - 1] == '\r') --line_end;
    record.fields.clear();
    record.error.clear();
    size_t k = i;
    while (k < line_end) {
      while (k < line_end && (d[k] == ' ' || d[k] == '\t')) ++k;
      if (k == line_end) break;
      const size_t field_start = k;
      while (k < line_end && d[k] != ' ' && d[k] != '\t') ++k;
      record.fields.emplace_back(d + field_start, k - field_start);
    }
    const size_t next = j < end_ ? j + 1 : end_;
    if (!record.fields.empty()) {
      record.raw = std::string_view(d + i, line_end - i);
      record.line = line;
      pos_ = next;
      line_ = line + 1;
      return Parse::kRecord;
    }
    if (next == end_ && j == end_) {
      pos_ = next;
      line_ = line;
      return eof_ ? Parse::kEnd : Parse::kNeedMore;
    }
    i = next;
    ++line;
    pos_ = i;
    line_ = line;
  }
}

}  // namespace clv

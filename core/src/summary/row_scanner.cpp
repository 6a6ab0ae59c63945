#include "summary/row_scanner.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

static_assert(std::endian::native == std::endian::little, "the word scan assumes little-endian");

RowScanner::RowScanner(const std::string& path, char delimiter, size_t buffer_bytes)
    : RowScanner(delimiter) {
  buffer_.resize(std::max<size_t>(buffer_bytes, 64));
  path_ = path;
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) {
    const int err = errno;
    if (err == ENOENT) throw Error::not_found(fmt::format("cannot open '{}': no such file", path));
    throw Error::io(fmt::format("cannot open '{}': {}", path, std::strerror(err)));
  }
  std::setvbuf(file_, nullptr, _IONBF, 0);  // we buffer ourselves
  data_ = buffer_.data();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  total_bytes_ = ec ? 0 : static_cast<uint64_t>(size);
}

RowScanner RowScanner::from_text(std::string_view text, char delimiter) {
  RowScanner scanner(delimiter);
  scanner.data_ = text.data();
  scanner.end_ = text.size();
  scanner.eof_ = true;
  scanner.total_bytes_ = text.size();
  return scanner;
}

RowScanner::RowScanner(RowScanner&& other) noexcept
    : delimiter_(other.delimiter_),
      path_(std::move(other.path_)),
      file_(std::exchange(other.file_, nullptr)),
      buffer_(std::move(other.buffer_)),
      data_(file_ != nullptr ? buffer_.data() : other.data_),
      pos_(other.pos_),
      end_(other.end_),
      eof_(other.eof_),
      bom_checked_(other.bom_checked_),
      line_(other.line_),
      read_before_(other.read_before_),
      total_bytes_(other.total_bytes_) {}

RowScanner::~RowScanner() {
  if (file_ != nullptr) std::fclose(file_);
}

bool RowScanner::refill() {
  if (eof_ || file_ == nullptr) {
    eof_ = true;
    return false;
  }
  const size_t remaining = end_ - pos_;
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, remaining);
    read_before_ += pos_;
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

RowScanner::Parse RowScanner::parse_slow(CsvRecord& record) {
  const std::string_view window(data_ + pos_, end_ - pos_);
  slow_.reset();
  slow_.emplace(CsvReader::from_text(window, CsvDialect{CsvFormat::kDelimited, delimiter_}));
  const bool found = slow_->next(record);
  const uint64_t consumed = slow_->bytes_consumed();
  // The window's end is not the file's: the record (or its line end) may go on.
  if (consumed == window.size() && !eof_) return Parse::kNeedMore;
  if (!found) {
    pos_ = end_;
    return Parse::kEnd;
  }
  record.line += line_ - 1;
  // A record ends at a line end outside quotes, so every '\n' in it is quoted.
  line_ = record.line + 1 +
          static_cast<uint64_t>(std::count(record.raw.begin(), record.raw.end(), '\n'));
  pos_ += consumed;
  return Parse::kRecord;
}

namespace {

// High bit set in the lowest byte of `word` equal to `byte` (bytes above the
// first match may be flagged spuriously, so only the lowest flag is used).
inline uint64_t equal_bytes(uint64_t word, char byte) {
  const uint64_t v = word ^ (0x0101010101010101ull * static_cast<uint8_t>(byte));
  return (v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull;
}

}  // namespace

// The first delimiter, quote or '\r' in [p, line_end), else line_end; eight
// bytes at a time while a whole word lies inside the buffer (`stop`).
const char* RowScanner::find_special(const char* p, const char* line_end, const char* stop) const {
  while (p < line_end) {
    if (stop - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof word);
      const uint64_t flags =
          equal_bytes(word, delimiter_) | equal_bytes(word, '"') | equal_bytes(word, '\r');
      if (flags != 0) {
        const char* hit = p + (std::countr_zero(flags) >> 3);
        return hit < line_end ? hit : line_end;
      }
      p += 8;
    } else {
      for (; p < line_end; ++p) {
        if (*p == delimiter_ || *p == '"' || *p == '\r') return p;
      }
    }
  }
  return line_end;
}

bool RowScanner::next(CsvRecord& record) {
  for (;;) {
    if (!bom_checked_) {
      if (end_ - pos_ < 3 && !eof_) {
        refill();
        continue;
      }
      if (end_ - pos_ >= 3 && std::memcmp(data_ + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
      bom_checked_ = true;
    }
    if (pos_ == end_) {
      if (!refill()) return false;
      continue;
    }
    const char* d = data_;
    const char* start = d + pos_;
    const char* stop = d + end_;
    const auto* nl =
        static_cast<const char*>(std::memchr(start, '\n', static_cast<size_t>(stop - start)));
    if (nl == nullptr && !eof_) {
      refill();
      continue;
    }
    const char* line_end = nl != nullptr ? nl : stop;
    // Blank lines ("\n" or "\r\n") are not records.
    if (nl != nullptr && (start == nl || (start + 1 == nl && *start == '\r'))) {
      pos_ = static_cast<size_t>(nl + 1 - d);
      ++line_;
      continue;
    }
    record.fields.clear();
    const char* field = start;
    const char* content_end = line_end;
    bool plain = true;
    for (const char* p = start;;) {
      const char* hit = find_special(p, line_end, stop);
      if (hit == line_end) break;
      if (*hit == delimiter_) {
        record.fields.emplace_back(field, static_cast<size_t>(hit - field));
        field = p = hit + 1;
        continue;
      }
      if (*hit == '\r' && hit + 1 == line_end && nl != nullptr) {  // CRLF
        content_end = hit;
      } else {
        plain = false;  // a quote or a bare '\r'
      }
      break;
    }
    if (!plain) {
      const Parse result = parse_slow(record);
      if (result == Parse::kRecord) return true;
      if (result == Parse::kEnd) return false;
      refill();
      continue;
    }
    record.fields.emplace_back(field, static_cast<size_t>(content_end - field));
    record.raw = std::string_view(start, static_cast<size_t>(content_end - start));
    record.line = line_++;
    record.error.clear();
    pos_ = nl != nullptr ? static_cast<size_t>(nl + 1 - d) : end_;
    return true;
  }
}

}  // namespace clv

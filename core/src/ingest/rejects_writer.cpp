#include "ingest/rejects_writer.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

RejectsWriter::RejectsWriter(std::string path, std::string source_name)
    : path_(std::move(path)), source_name_(std::move(source_name)) {}

RejectsWriter::~RejectsWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void RejectsWriter::put_field(std::string_view text) {
  if (text.empty()) return;  // an empty view may have a null data()
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

void RejectsWriter::write(uint64_t line, std::string_view column, std::string_view reason,
                          std::string_view original_text) {
  if (file_ == nullptr) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) {
      throw Error::io(fmt::format("cannot write rejects file '{}': {}; pass --rejects PATH", path_,
                                  std::strerror(errno)));
    }
    std::fputs("file,line,column,reason,original_text\r\n", file_);
  }
  put_field(source_name_);
  std::fprintf(file_, ",%llu,", static_cast<unsigned long long>(line));
  put_field(column);
  std::fputc(',', file_);
  put_field(reason);
  std::fputc(',', file_);
  put_field(original_text);
  std::fputs("\r\n", file_);
  ++count_;
}

void RejectsWriter::close() {
  if (file_ == nullptr) return;
  const bool failed = std::ferror(file_) != 0;
  const bool close_failed = std::fclose(file_) != 0;
  file_ = nullptr;
  if (failed || close_failed)
    throw Error::io(fmt::format("writing rejects file '{}' failed", path_));
}

}  // namespace clv

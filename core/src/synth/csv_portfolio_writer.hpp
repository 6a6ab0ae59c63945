// Writes a generated portfolio as the import contract's CSV files through
// large in-memory buffers (millions of rows per second), plus the cohort
// renewal table for the contractual financial sector.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clv/portfolio_generator.hpp"

namespace clv::synth {

// One output file with its own buffer; throws Error::io on any failure.
class BufferedCsvFile {
 public:
  BufferedCsvFile(const std::filesystem::path& path, std::string_view header);
  BufferedCsvFile(const BufferedCsvFile&) = delete;
  BufferedCsvFile& operator=(const BufferedCsvFile&) = delete;
  ~BufferedCsvFile();

  fmt::memory_buffer& buffer() { return buffer_; }
  void end_row();  // appends the line end and flushes when the buffer is full
  void close();

 private:
  void flush();
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  fmt::memory_buffer buffer_;
};

class CsvPortfolioWriter final : public PortfolioSink {
 public:
  CsvPortfolioWriter(const GeneratorConfig& config, const std::filesystem::path& dir);

  void employee(const SyntheticEmployee& e) override;
  void customer(const SyntheticCustomer& c) override;
  void transaction(const SyntheticTransaction& t) override;
  void incident(const SyntheticIncident& i) override;

  // Flushes and closes every file and writes renewals.csv when contractual.
  void finish();

 private:
  void write_renewals();

  GeneratorConfig config_;
  std::filesystem::path dir_;
  BufferedCsvFile customers_, transactions_, incidents_, employees_;
  // Financial: per acquisition month, how many customers paid the k-th fee.
  std::map<int64_t, std::vector<int64_t>> renewals_;
};

}  // namespace clv::synth

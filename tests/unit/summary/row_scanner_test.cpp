// RowScanner must read exactly what CsvReader reads (fields, raw text, line
// numbers, errors), including records that straddle its buffer boundary,
// quoted fields handed to the slow path, CRLF and bare '\r' line ends.
#include "summary/row_scanner.hpp"

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/summarize.hpp"
#include "domain/calendar.hpp"
#include "ingest/csv_reader.hpp"

namespace clv {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Reads `text` with both readers (RowScanner from a file with a
// `buffer_bytes` buffer, and from memory) and compares every record.
void expect_same_records(const std::string& text, size_t buffer_bytes, char delimiter = ',') {
  const std::string path = write_temp("row_scanner_input.csv", text);
  CsvReader reference = CsvReader::from_text(text, CsvDialect{CsvFormat::kDelimited, delimiter});
  RowScanner from_file(path, delimiter, buffer_bytes);
  RowScanner from_memory = RowScanner::from_text(text, delimiter);
  CsvRecord expected, got_file, got_memory;
  for (size_t n = 0;; ++n) {
    const bool more = reference.next(expected);
    ASSERT_EQ(from_file.next(got_file), more) << "record " << n << " of:\n" << text;
    ASSERT_EQ(from_memory.next(got_memory), more) << "record " << n << " of:\n" << text;
    if (!more) break;
    for (const CsvRecord* got : {&got_file, &got_memory}) {
      ASSERT_EQ(got->fields.size(), expected.fields.size()) << "record " << n << " of:\n" << text;
      for (size_t f = 0; f < expected.fields.size(); ++f) {
        EXPECT_EQ(got->fields[f], expected.fields[f]) << "record " << n << " field " << f;
      }
      EXPECT_EQ(got->raw, expected.raw) << "record " << n;
      EXPECT_EQ(got->line, expected.line) << "record " << n;
      EXPECT_EQ(got->error, expected.error) << "record " << n;
    }
  }
}

TEST(RowScanner, ReadsEdgeCasesAsCsvReaderDoes) {
  const std::vector<std::string> cases = {
      "",
      "a,b,c",
      "a,b,c\n",
      "\xEF\xBB\xBF"
      "id,ts\n1,2\n",
      "a,b\r\nc,d\r\n",
      "a,b\r\n\r\n\n\nc,d",
      "a,\"b,c\",d\n\"x\"\"y\",z\n",
      "a,\"multi\nline\",b\nnext,row\n",
      "a,\"never closes\nb,c\n",
      "a,\"b\"x,c\n",
      "old\rmac\rline,ends\r",
      "a\rb\n",
      "trailing,delimiter,\n,\n",
      "a,b\r",
      "\r\n\r\nfirst,after,blanks\n",
      "quote\"inside,plain\n",
  };
  for (const auto& text : cases) {
    for (size_t buffer : {64, 1 << 20}) expect_same_records(text, buffer);
  }
  expect_same_records("a;b;\"c;d\"\n1;2;3\n", 64, ';');
}

// Random text over an alphabet of delimiters, quotes and line ends, read
// through a 64-byte buffer so many records straddle it (and some are larger
// than it, which grows the buffer).
TEST(RowScanner, RandomTextMatchesCsvReaderThroughASmallBuffer) {
  std::mt19937 rng(11);
  const std::string alphabet = "ab1,,,\"\r\n\n\n ";
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const size_t length = 1 + rng() % 400;
    const bool quotes = round % 3 != 0;  // a third of the inputs take the fast path only
    for (size_t i = 0; i < length; ++i) {
      char c = alphabet[rng() % alphabet.size()];
      if (!quotes && (c == '"' || c == '\r')) c = 'x';
      text += c;
    }
    expect_same_records(text, 64);
    if (HasFatalFailure()) return;
  }
}

TEST(RowScanner, MissingFileIsNotFound) {
  try {
    RowScanner scanner(testing::TempDir() + "/no_such_file.csv", ',');
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

}  // namespace
}  // namespace clv

namespace clv {
namespace {

// A file larger than the 1 MiB read buffer, with quoted and CRLF rows mixed
// in: records straddle refills, and the file summary equals the in-memory one.
TEST(RowScanner, FileSummaryAcrossBufferRefillsEqualsTheInMemoryOne) {
  std::string text = "customer_id,timestamp,amount\r\n";
  std::mt19937 rng(3);
  for (int i = 0; text.size() < (3u << 20) / 2; ++i) {
    const unsigned customer = rng() % 5000, day = 1 + static_cast<unsigned>(i / 2000);
    // Some ids contain the delimiter, so they are quoted (the slow path).
    const std::string id =
        customer % 7 == 0 ? fmt::format("\"q,{}\"", customer) : fmt::format("c{}", customer);
    text += fmt::format("{},2020-{:02}-{:02},{}.{}{}", id, day / 28 + 1, day % 28 + 1, rng() % 100,
                        rng() % 10, i % 3 == 0 ? "\r\n" : "\n");
  }
  const std::string path = write_temp("row_scanner_summary.csv", text);
  SummaryPeriod period;
  period.calibration_end_day = days_from_civil(2020, 12, 31);
  const CustomerSummary from_file = summarize_transaction_file(path, {}, period);
  const CustomerSummary from_text = summarize_transaction_text(text, {}, period);
  EXPECT_EQ(from_file.diagnostics.rows_rejected, 0u);
  EXPECT_GT(from_file.diagnostics.rows_read, 50000u);
  EXPECT_EQ(from_file.diagnostics.rows_read, from_text.diagnostics.rows_read);
  ASSERT_EQ(from_file.size(), from_text.size());
  ASSERT_GT(from_file.size(), 4000u);
  for (size_t i = 0; i < from_file.size(); ++i) {
    ASSERT_EQ(from_file.ids[i], from_text.ids[i]);
    EXPECT_EQ(from_file.frequency[i], from_text.frequency[i]);
    EXPECT_EQ(from_file.recency[i], from_text.recency[i]);
    EXPECT_EQ(from_file.T[i], from_text.T[i]);
    EXPECT_EQ(from_file.monetary_value[i], from_text.monetary_value[i]);
  }
  // Ids quoted because they contain the delimiter kept their comma.
  bool found_quoted = false;
  for (size_t i = 0; i < from_file.size(); ++i)
    found_quoted |= from_file.ids[i].substr(0, 2) == "q,";
  EXPECT_TRUE(found_quoted);
}

}  // namespace
}  // namespace clv

// RowScanner must read exactly what CsvReader reads (fields, raw text, line
// numbers, errors), including records that straddle its buffer boundary,
// quoted fields handed to the slow path, CRLF and bare '\r' line ends.
#include "summary/row_scanner.hpp"

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"
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

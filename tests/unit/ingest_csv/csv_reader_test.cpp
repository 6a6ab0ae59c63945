#include "ingest/csv_reader.hpp"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "clv/error.hpp"

namespace clv {
namespace {

using Rows = std::vector<std::vector<std::string>>;

struct Parsed {
  Rows rows;
  std::vector<uint64_t> lines;
  std::vector<std::string> errors;
  std::vector<std::string> raws;
};

Parsed read_all(CsvReader& reader) {
  Parsed out;
  CsvRecord rec;
  while (reader.next(rec)) {
    out.rows.emplace_back(rec.fields.begin(), rec.fields.end());
    out.lines.push_back(rec.line);
    out.errors.push_back(rec.error);
    out.raws.emplace_back(rec.raw);
  }
  return out;
}

Parsed parse(std::string_view text, CsvDialect dialect = {}) {
  auto reader = CsvReader::from_text(text, dialect);
  return read_all(reader);
}

// Writes `text` to a file and reads it back through a tiny buffer so that
// every record crosses buffer boundaries.
Parsed parse_file(const std::string& text, size_t buffer, CsvDialect dialect = {}) {
  const std::string path = testing::TempDir() + "/csv_reader_test.csv";
  std::ofstream(path, std::ios::binary) << text;
  CsvReader reader(path, dialect, buffer);
  Parsed p = read_all(reader);
  EXPECT_EQ(reader.bytes_consumed(), text.size());
  std::remove(path.c_str());
  return p;
}

TEST(CsvReader, SimpleRecordsAndLineNumbers) {
  Parsed p = parse("a,b,c\n1,2,3\n\n4,,6\n");
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"4", "", "6"}));
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2, 4}));
}

TEST(CsvReader, QuotedFieldsWithCommasNewlinesAndQuotes) {
  Parsed p = parse("id,note\n1,\"hello, world\"\n2,\"two\nlines\"\n3,\"say \"\"hi\"\"\"\n4,x\n");
  ASSERT_EQ(p.rows.size(), 5u);
  EXPECT_EQ(p.rows[1][1], "hello, world");
  EXPECT_EQ(p.rows[2][1], "two\nlines");
  EXPECT_EQ(p.rows[3][1], "say \"hi\"");
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2, 3, 5, 6}));
  EXPECT_EQ(p.raws[3], "3,\"say \"\"hi\"\"\"");
}

TEST(CsvReader, CrlfBomAndMissingFinalNewline) {
  Parsed p = parse("\xEF\xBB\xBFid,v\r\n1,\"a\r\nb\"\r\n2,z");
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[0][0], "id");
  EXPECT_EQ(p.rows[1][1], "a\r\nb");
  EXPECT_EQ(p.rows[2], (std::vector<std::string>{"2", "z"}));
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2, 4}));
}

TEST(CsvReader, TrailingDelimiterGivesEmptyField) {
  Parsed p = parse("a,b,\n");
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0], (std::vector<std::string>{"a", "b", ""}));
}

TEST(CsvReader, ReportsUnclosedQuoteAndJunkAfterQuote) {
  Parsed p = parse("1,\"ok\"x,3\n2,\"never closes\n3,4\n");
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_NE(p.errors[0].find("after a closing quote"), std::string::npos);
  EXPECT_EQ(p.rows[0].size(), 3u);
  EXPECT_NE(p.errors[1].find("never closes"), std::string::npos);
  EXPECT_EQ(p.lines[1], 2u);
}

TEST(CsvReader, WhitespaceSeparatedLikeCdnow) {
  CsvDialect ws{CsvFormat::kWhitespace, ' '};
  Parsed p = parse("00001   19970101   1   11.77\r\n  00002 19970112\t2  29.33 \r\n\r\n", ws);
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0], (std::vector<std::string>{"00001", "19970101", "1", "11.77"}));
  EXPECT_EQ(p.rows[1], (std::vector<std::string>{"00002", "19970112", "2", "29.33"}));
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2}));
}

TEST(CsvReader, SemicolonDelimiter) {
  Parsed p = parse("a;\"b;c\"\n", CsvDialect{CsvFormat::kDelimited, ';'});
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0], (std::vector<std::string>{"a", "b;c"}));
}

TEST(CsvReader, FileReadsMatchMemoryReadsAcrossBufferBoundaries) {
  std::string text = "\xEF\xBB\xBFid,name,amount\r\n";
  for (int i = 0; i < 300; ++i) {
    text += std::to_string(i) + ",\"name " + std::to_string(i) + ", \"\"q\"\"\nline\"," +
            std::to_string(i * 1.5) + (i % 3 == 0 ? "\r\n" : "\n");
    if (i % 50 == 0) text += "\n";
  }
  const Parsed expected = parse(text);
  ASSERT_EQ(expected.rows.size(), 301u);
  for (size_t buffer : {64, 100, 4096}) {
    const Parsed got = parse_file(text, buffer);
    EXPECT_EQ(got.rows, expected.rows) << buffer;
    EXPECT_EQ(got.lines, expected.lines) << buffer;
    EXPECT_EQ(got.raws, expected.raws) << buffer;
  }
  const CsvDialect ws{CsvFormat::kWhitespace, ' '};
  std::string spaced;
  for (int i = 0; i < 500; ++i) spaced += "  " + std::to_string(i) + "\t19970101  " + "3.5\r\n";
  EXPECT_EQ(parse_file(spaced, 64, ws).rows, parse(spaced, ws).rows);
}

TEST(CsvReader, MissingFileIsNotFound) {
  try {
    CsvReader reader("/nonexistent/clv/file.csv");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/clv/file.csv"), std::string::npos);
  }
}

}  // namespace
}  // namespace clv

// The store owns every SQL string (docs/architecture.md): no SQL statement in
// a string literal, and no SQLite statement or sqlite3_* call, anywhere in the
// sources outside core/src/store (which holds store/postgres too). Connection
// handles and transactions (SQLite::Database, SQLite::Transaction, sqlite3*)
// may pass through other areas; the statements they run may not.
// bench/ and tests/ are outside the scan: they build fixtures and check rows.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

// Files outside core/src/store that may keep SQL, each with its reason.
// Keep it short: moving the statement into a store repository is the fix.
const std::map<std::string, std::string> kAllowed = {
    // (none today)
};

struct Lexed {
  std::string code;                   // without comments and literals
  std::vector<std::string> literals;  // string literal contents (raw strings too)
};

// A small C/C++ lexer: enough to tell comments, string and character
// literals (with escapes, raw strings and digit separators) from code.
Lexed lex(const std::string& t) {
  Lexed out;
  const size_t n = t.size();
  size_t i = 0;
  auto ident_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < n) {
    const char c = t[i];
    if (t.compare(i, 2, "//") == 0) {
      const size_t j = t.find('\n', i);
      i = j == std::string::npos ? n : j;
    } else if (t.compare(i, 2, "/*") == 0) {
      const size_t j = t.find("*/", i + 2);
      i = j == std::string::npos ? n : j + 2;
    } else if (c == 'R' && i + 1 < n && t[i + 1] == '"' &&
               (i == 0 || !ident_char(t[i - 1]) || t[i - 1] == '8' || t[i - 1] == 'u' ||
                t[i - 1] == 'U' || t[i - 1] == 'L')) {
      const size_t open = t.find('(', i + 2);
      if (open == std::string::npos) break;
      std::string close(1, ')');
      close.append(t, i + 2, open - i - 2);
      close.push_back('"');
      const size_t end = t.find(close, open);
      if (end == std::string::npos) break;
      out.literals.push_back(t.substr(open + 1, end - open - 1));
      i = end + close.size();
    } else if (c == '"') {
      size_t j = i + 1;
      while (j < n && t[j] != '"' && t[j] != '\n') j += t[j] == '\\' ? 2 : 1;
      out.literals.push_back(t.substr(i + 1, j - i - 1));
      i = j + 1;
    } else if (c == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(t[i - 1])))) {
      size_t j = i + 1;
      while (j < n && t[j] != '\'' && t[j] != '\n') j += t[j] == '\\' ? 2 : 1;
      i = j + 1;
    } else {
      out.code.push_back(c);
      ++i;
    }
  }
  return out;
}

const std::regex& sql_statement() {
  static const std::regex re(
      R"(\b(SELECT|INSERT\s+(INTO|OR)|UPDATE\s+\w+\s+SET|DELETE\s+FROM|REPLACE\s+INTO|)"
      R"(CREATE\s+(TABLE|INDEX|UNIQUE|VIEW|TRIGGER|TEMP)|DROP\s+(TABLE|INDEX|VIEW)|ALTER\s+TABLE|)"
      R"(PRAGMA|BEGIN\s+(IMMEDIATE|EXCLUSIVE|TRANSACTION)|VACUUM|ANALYZE)\b)");
  return re;
}

const std::regex& database_api() {
  static const std::regex re(
      R"(\bsqlite3_\w+|SQLite::(Statement|Column|Backup)\b|\b(execAndGet|executeStep)\b|\bPQ\w+\s*\()");
  return re;
}

// What a file does that only the store may do, one line per finding.
std::vector<std::string> findings(const std::string& text) {
  std::vector<std::string> out;
  const Lexed l = lex(text);
  for (const std::string& lit : l.literals) {
    std::smatch m;
    if (std::regex_search(lit, m, sql_statement())) {
      out.push_back("SQL in a string: \"" + lit.substr(0, 60) + "\"");
    }
  }
  for (auto it = std::sregex_iterator(l.code.begin(), l.code.end(), database_api());
       it != std::sregex_iterator(); ++it) {
    out.push_back("database call: " + it->str());
  }
  return out;
}

TEST(SqlBoundary, TheScannerFindsSqlAndIgnoresComments) {
  EXPECT_EQ(findings("auto q = \"SELECT id FROM customers\";").size(), 1u);
  EXPECT_EQ(findings("db.exec(R\"sql(\nCREATE TABLE t (x);\n)sql\");").size(), 1u);
  EXPECT_EQ(findings("sqlite3_exec(db, sql, 0, 0, 0);").size(), 1u);
  EXPECT_EQ(findings("SQLite::Statement q(db, text);").size(), 1u);
  EXPECT_EQ(findings("while (q.executeStep()) {}").size(), 1u);
  EXPECT_EQ(findings("PQexec(conn, text);").size(), 1u);
  EXPECT_EQ(findings("\"UPDATE customers SET sector = ?\"").size(), 1u);
  // Not SQL: comments, prose, handles passed along, digit separators.
  EXPECT_TRUE(findings("// sorting once (CREATE INDEX) beats inserts\n").empty());
  EXPECT_TRUE(findings("/* SELECT * FROM t */ int x = 1'000'000;").empty());
  EXPECT_TRUE(findings("throw Error(\"select a model\"); SQLite::Database& db = h;").empty());
  EXPECT_TRUE(findings("SQLite::Transaction tx(db); sqlite3* raw = nullptr;").empty());
  EXPECT_TRUE(findings("auto c = '\"'; auto s = \"it's // fine\";").empty());
}

TEST(SqlBoundary, NoSqlOutsideTheStore) {
  const fs::path root = CLV_SOURCE_DIR;
  const fs::path store = root / "core" / "src" / "store";
  size_t scanned = 0;
  std::vector<std::string> problems;
  for (const char* area : {"core/src", "core/include", "cli", "plugins", "sdk", "examples"}) {
    if (!fs::exists(root / area)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / area)) {
      if (!entry.is_regular_file()) continue;
      const fs::path& p = entry.path();
      const std::string ext = p.extension().string();
      if (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".c" && ext != ".cc") continue;
      const std::string rel = fs::relative(p, root).generic_string();
      if (rel.rfind(fs::relative(store, root).generic_string() + "/", 0) == 0) continue;
      ++scanned;
      std::ifstream in(p, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      const auto found = findings(text.str());
      if (found.empty() || kAllowed.count(rel)) continue;
      for (const auto& f : found) problems.push_back(rel + ": " + f);
    }
  }
  EXPECT_GT(scanned, 100u) << "the source tree was not found at " << root;
  std::string list;
  for (const auto& p : problems) list += "\n  " + p;
  EXPECT_TRUE(problems.empty())
      << "SQL outside core/src/store: move it into a repository there (store/*.hpp)" << list;
}

}  // namespace

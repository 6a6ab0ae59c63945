#include "models/summary_csv.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "clv/error.hpp"
#include "clv/summary_metadata.hpp"
#include "ingest/csv_reader.hpp"

namespace clv {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Position of the first header among `names` (already lower case), if any.
std::optional<size_t> find_column(const std::vector<std::string>& header,
                                  std::initializer_list<const char*> names) {
  for (const char* name : names) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
  }
  return std::nullopt;
}

// Why a summary row cannot be used, or nullptr.
const char* summary_row_problem(double x, double t_x, double T, double weight, double monetary) {
  if (!std::isfinite(x) || !std::isfinite(t_x) || !std::isfinite(T) || !std::isfinite(weight) ||
      !std::isfinite(monetary)) {
    return "values must be finite numbers";
  }
  if (x < 0 || x != std::floor(x)) return "frequency must be a whole number >= 0";
  if (t_x < 0) return "recency must be >= 0";
  if (T < t_x) return "T must be >= recency (the last purchase lies inside the period)";
  if (x == 0 && t_x != 0) return "recency must be 0 when frequency is 0";
  if (weight < 0) return "weight must be >= 0";
  return nullptr;
}

// Column positions of a summary file, resolved from its header.
struct Columns {
  std::optional<size_t> id, x, t_x, T, m, w;
  std::vector<std::string> names;  // as written, for messages
};

// Where one thread's share of the rows goes: slots [first, first + capacity)
// of the table's columns (capacity = the share's line count, an upper bound
// on its rows), and, if a row is bad, the message and its line in the share.
struct Share {
  size_t first = 0, capacity = 0;
  size_t rows = 0;
  uint64_t lines = 0;  // lines consumed (blank ones included)
  std::string error;   // "column 'T' is 'abc', not a number" etc.
};

// Parses the rows of text [begin, end) (whole lines, no quotes, comma
// separated) straight into the table's columns at share.first; stops at the
// first bad row.
void parse_plain_rows(const char* begin, const char* end, const Columns& c, bool with_ids,
                      SummaryTable& table, Share& out) {
  std::string_view fields[64];
  size_t max_col = std::max({*c.x, *c.t_x, *c.T});
  if (c.id) max_col = std::max(max_col, *c.id);
  if (c.m) max_col = std::max(max_col, *c.m);
  if (c.w) max_col = std::max(max_col, *c.w);
  double* const xs = table.x.data() + out.first;
  double* const txs = table.t_x.data() + out.first;
  double* const Ts = table.T.data() + out.first;
  double* const ms = c.m ? table.monetary.data() + out.first : nullptr;
  double* const ws = c.w ? table.weight.data() + out.first : nullptr;
  std::string* const ids = with_ids && c.id ? table.customer_id.data() + out.first : nullptr;
  const auto number = [&](size_t col, double& value) -> bool {
    const std::string_view text = trim(fields[col]);
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
      out.error = fmt::format("column '{}' is '{}', not a number", c.names[col], text);
      return false;
    }
    return true;
  };
  size_t row = 0;
  for (const char* line = begin; line < end;) {
    const char* eol = static_cast<const char*>(std::memchr(line, '\n', end - line));
    if (!eol) eol = end;
    std::string_view text(line, static_cast<size_t>(eol - line));
    line = eol + 1;
    ++out.lines;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty()) continue;  // blank lines are not records
    size_t n = 0;
    for (size_t start = 0; n <= max_col;) {
      const size_t comma = text.find(',', start);
      fields[n++] = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (n <= max_col) {  // the general reader's messages, in its order
      if (c.id && *c.id >= n) {
        out.error = "missing id";
      } else {
        for (auto col : {c.x, c.t_x, c.T, c.m, c.w}) {
          if (col && *col >= n) {
            out.error = fmt::format("missing column '{}'", c.names[*col]);
            break;
          }
        }
      }
      break;
    }
    double x = 0, t_x = 0, T = 0, m = 0, w = 1.0;
    if (!number(*c.x, x) || !number(*c.t_x, t_x) || !number(*c.T, T)) break;
    if (c.m && !number(*c.m, m)) break;
    if (c.w && !number(*c.w, w)) break;
    if (const char* problem = summary_row_problem(x, t_x, T, w, m)) {
      out.error = fmt::format("{} ({}={}, {}={}, {}={})", problem, c.names[*c.x], x,
                              c.names[*c.t_x], t_x, c.names[*c.T], T);
      break;
    }
    if (row == out.capacity) {  // cannot happen: capacity counts the lines
      out.error = "more rows than lines";
      break;
    }
    if (ids) ids[row].assign(trim(fields[*c.id]));
    xs[row] = x;
    txs[row] = t_x;
    Ts[row] = T;
    if (ms) ms[row] = m;
    if (ws) ws[row] = w;
    ++row;
  }
  out.rows = row;
}

// Reads the file from `offset` to its end.
std::string read_rest(const std::string& path, uint64_t offset) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f || std::fseek(f.get(), static_cast<long>(offset), SEEK_SET) != 0) {
    throw Error::io(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  }
  std::string text;
  char buffer[1 << 16];
  if (std::fseek(f.get(), 0, SEEK_END) == 0) {
    const long size = std::ftell(f.get());
    if (size > static_cast<long>(offset)) text.reserve(static_cast<size_t>(size) - offset);
    std::fseek(f.get(), static_cast<long>(offset), SEEK_SET);
  }
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, f.get())) > 0) text.append(buffer, got);
  if (std::ferror(f.get())) {
    throw Error::io(fmt::format("read error in '{}': {}", path, std::strerror(errno)));
  }
  return text;
}

// The file's bytes from `offset` on: mapped when possible (no copy), else read.
class FileBody {
 public:
  FileBody(const std::string& path, uint64_t offset) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<uint64_t>(st.st_size) > offset) {
      size_ = static_cast<size_t>(st.st_size);
      void* map = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (map != MAP_FAILED) {
        map_ = map;
        ::madvise(map_, size_, MADV_SEQUENTIAL);
        data_ = static_cast<const char*>(map_) + offset;
        length_ = size_ - offset;
      }
    }
    if (fd >= 0) ::close(fd);
    if (!map_) {
      copy_ = read_rest(path, offset);
      data_ = copy_.data();
      length_ = copy_.size();
    }
  }
  ~FileBody() {
    if (map_) ::munmap(map_, size_);
  }
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;
  std::string_view text() const { return {data_, length_}; }

 private:
  void* map_ = nullptr;
  size_t size_ = 0;
  std::string copy_;
  const char* data_ = nullptr;
  size_t length_ = 0;
};

// Lines in [begin, end): the newlines, plus a last line without one.
size_t count_lines(const char* begin, const char* end) {
  if (begin == end) return 0;
  return static_cast<size_t>(std::count(begin, end, '\n')) + (end[-1] != '\n' ? 1 : 0);
}

// Plain files (no quotes, '\n' or '\r\n' line ends: everything clv and
// lifetimes write) are parsed at memory speed on both cores: the body is
// split at line boundaries, each part's lines counted, and each part parsed
// on its own thread straight into its slots of the table's columns.
bool parse_plain_body(std::string_view text, const Columns& c, bool with_ids, uint64_t first_line,
                      const std::string& path, SummaryTable& table) {
  const size_t parts = text.size() >= (size_t{1} << 20) ? 2 : 1;
  std::vector<size_t> cut{0};
  for (size_t p = 1; p < parts; ++p) {
    const size_t at = text.find('\n', text.size() * p / parts);
    cut.push_back(at == std::string_view::npos ? text.size() : at + 1);
  }
  cut.push_back(text.size());
  // Quotes and bare '\r' (old Mac line ends) need the general reader.
  std::vector<char> plain(parts, 1);
  std::vector<Share> shares(parts);
  const auto scan = [&](size_t p) {
    const char* b = text.data() + cut[p];
    const char* e = text.data() + cut[p + 1];
    if (std::memchr(b, '"', static_cast<size_t>(e - b))) plain[p] = 0;
    for (const char* cr = b;
         plain[p] &&
         (cr = static_cast<const char*>(std::memchr(cr, '\r', static_cast<size_t>(e - cr))));
         ++cr) {
      if (cr + 1 >= e || cr[1] != '\n') plain[p] = 0;
    }
    shares[p].capacity = count_lines(b, e);
  };
  {
    std::vector<std::thread> workers;
    for (size_t p = 1; p < parts; ++p) workers.emplace_back(scan, p);
    scan(0);
    for (auto& w : workers) w.join();
  }
  if (std::find(plain.begin(), plain.end(), 0) != plain.end()) return false;
  size_t capacity = 0;
  for (Share& s : shares) {
    s.first = capacity;
    capacity += s.capacity;
  }
  table.x.resize(capacity);
  table.t_x.resize(capacity);
  table.T.resize(capacity);
  if (c.m) table.monetary.resize(capacity);
  if (c.w) table.weight.resize(capacity);
  if (with_ids && c.id) table.customer_id.resize(capacity);
  {
    std::vector<std::thread> workers;
    for (size_t p = 1; p < parts; ++p) {
      workers.emplace_back([&, p] {
        parse_plain_rows(text.data() + cut[p], text.data() + cut[p + 1], c, with_ids, table,
                         shares[p]);
      });
    }
    parse_plain_rows(text.data() + cut[0], text.data() + cut[1], c, with_ids, table, shares[0]);
    for (auto& w : workers) w.join();
  }
  uint64_t line = first_line;
  for (const Share& s : shares) {
    if (!s.error.empty()) {
      throw Error::invalid_argument(
          fmt::format("{} line {}: {}", path, line + s.lines - 1, s.error));
    }
    line += s.lines;
  }
  // Blank lines leave unused slots at the end of a share: close the gaps.
  size_t rows = 0;
  for (const Share& s : shares) {
    if (s.first != rows) {
      const auto move = [&](auto& column) {
        if (column.empty()) return;
        std::move(column.begin() + static_cast<std::ptrdiff_t>(s.first),
                  column.begin() + static_cast<std::ptrdiff_t>(s.first + s.rows),
                  column.begin() + static_cast<std::ptrdiff_t>(rows));
      };
      move(table.x);
      move(table.t_x);
      move(table.T);
      move(table.monetary);
      move(table.weight);
      move(table.customer_id);
    }
    rows += s.rows;
  }
  table.x.resize(rows);
  table.t_x.resize(rows);
  table.T.resize(rows);
  if (c.m) table.monetary.resize(rows);
  if (c.w) table.weight.resize(rows);
  if (with_ids && c.id) {
    table.customer_id.resize(rows);
  } else if (with_ids) {
    table.customer_id.reserve(rows);
    for (size_t i = 0; i < rows; ++i) table.customer_id.push_back(std::to_string(i + 1));
  }
  return true;
}

}  // namespace

SummaryTable read_summary_csv(const std::string& path, const SummaryReadOptions& options) {
  CsvReader reader(path);
  CsvRecord record;
  SummaryMetadata metadata;
  bool has_record = reader.next(record);
  // Leading comment lines; "# clv:" records the unit and calibration end.
  while (has_record && is_summary_comment(record.raw)) {
    parse_summary_metadata(record.raw, metadata, fmt::format("{} line {}", path, record.line));
    has_record = reader.next(record);
  }
  if (!has_record) {
    throw Error::invalid_argument(fmt::format("{} is empty; expected a header line", path));
  }
  std::vector<std::string> header, original;
  for (auto f : record.fields) {
    original.emplace_back(trim(f));
    header.push_back(lower(trim(f)));
  }
  // "T" is matched case-sensitively in lifetimes; here any case is accepted.
  const auto id_col = find_column(header, {"id", "customer_id", "customer", "cust"});
  const auto x_col = find_column(header, {"frequency", "x"});
  const auto tx_col = find_column(header, {"recency", "t_x"});
  const auto T_col = find_column(header, {"t", "periods", "n"});
  const auto m_col = find_column(header, {"monetary_value", "zbar", "monetary", "m_x"});
  const auto w_col = find_column(header, {"weights", "weight", "count", "custs"});
  if (!x_col || !tx_col || !T_col) {
    throw Error::invalid_argument(
        fmt::format("{}: header '{}' lacks the summary columns; expected frequency,recency,T "
                    "(lifetimes), x,t_x,T (Fader-Hardie) or frequency,recency,periods (BG/BB)",
                    path, record.raw));
  }
  SummaryTable table;
  table.T_column = original[*T_col];
  table.unit = metadata.unit;
  table.calibration_end = metadata.calibration_end;
  // The fast path for plain files; quoted ids and odd line ends take the
  // general reader below.
  if (record.error.empty() && original.size() <= 64 && reader.total_bytes() > 0) {
    const Columns columns{id_col, x_col, tx_col, T_col, m_col, w_col, original};
    const FileBody body(path, reader.bytes_consumed());
    if (parse_plain_body(body.text(), columns, options.ids, record.line + 1, path, table)) {
      return table;
    }
  }
  const auto number = [&](const CsvRecord& rec, size_t col, const char* what) {
    if (col >= rec.fields.size()) {
      throw Error::invalid_argument(
          fmt::format("{} line {}: missing column '{}'", path, rec.line, what));
    }
    const std::string_view text = trim(rec.fields[col]);
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
      throw Error::invalid_argument(
          fmt::format("{} line {}: column '{}' is '{}', not a number", path, rec.line, what, text));
    }
    return value;
  };
  while (reader.next(record)) {
    if (!record.error.empty()) {
      throw Error::invalid_argument(fmt::format("{} line {}: {}", path, record.line, record.error));
    }
    if (id_col) {
      if (*id_col >= record.fields.size()) {
        throw Error::invalid_argument(fmt::format("{} line {}: missing id", path, record.line));
      }
      if (options.ids) table.customer_id.emplace_back(trim(record.fields[*id_col]));
    } else if (options.ids) {
      table.customer_id.push_back(std::to_string(table.x.size() + 1));
    }
    const double x = number(record, *x_col, original[*x_col].c_str());
    const double t_x = number(record, *tx_col, original[*tx_col].c_str());
    const double T = number(record, *T_col, original[*T_col].c_str());
    table.x.push_back(x);
    table.t_x.push_back(t_x);
    table.T.push_back(T);
    if (m_col) table.monetary.push_back(number(record, *m_col, original[*m_col].c_str()));
    if (w_col) table.weight.push_back(number(record, *w_col, original[*w_col].c_str()));
    // The rules every model's fit and score apply (models/rfm_rows.hpp),
    // checked here so the message names the file line.
    const char* problem = summary_row_problem(x, t_x, T, w_col ? table.weight.back() : 1.0,
                                              m_col ? table.monetary.back() : 0.0);
    if (problem) {
      throw Error::invalid_argument(fmt::format("{} line {}: {} ({}={}, {}={}, {}={})", path,
                                                record.line, problem, original[*x_col], x,
                                                original[*tx_col], t_x, original[*T_col], T));
    }
  }
  return table;
}

RfmData read_summary_file(const std::string& path, const SummaryReadOptions& options) {
  return read_summary_csv(path, options);
}

}  // namespace clv

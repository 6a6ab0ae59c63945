#include "store/postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv::pg {
namespace {

std::string trimmed(const char* text) {
  std::string out = text == nullptr ? "" : text;
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

struct ResultGuard {
  PGresult* r;
  ~ResultGuard() { PQclear(r); }
};

bool plain_identifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string quote_table(std::string_view name) {
  const size_t dot = name.find('.');
  const std::string_view schema = dot == std::string_view::npos ? "" : name.substr(0, dot);
  const std::string_view table = dot == std::string_view::npos ? name : name.substr(dot + 1);
  if ((dot != std::string_view::npos && !plain_identifier(schema)) || !plain_identifier(table)) {
    throw Error::invalid_argument(fmt::format(
        "table name '{}' is not a plain identifier (letters, digits, _; optionally schema.table)",
        name));
  }
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  // Unquoted SQL folds names to lower case; quoting keeps that meaning.
  return dot == std::string_view::npos ? fmt::format("\"{}\"", lower(table))
                                       : fmt::format("\"{}\".\"{}\"", lower(schema), lower(table));
}

void append_copy_text(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

std::string redact_conninfo_impl(std::string_view conninfo);

Connection::Connection(const std::string& conninfo) {
  redacted_ = redact_conninfo_impl(conninfo);
  where_ = "PostgreSQL at '" + redacted_ + "'";
  // Defaults the caller's string can override: a bounded wait for an
  // unreachable host, and a name the DBA can see in pg_stat_activity.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "clv-engine", conninfo.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (conn_ == nullptr) throw Error::io("cannot connect to " + where_ + ": out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string reason = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error::io(fmt::format("cannot connect to {}: {}", where_, reason));
  }
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

int Connection::server_version() const {
  return PQserverVersion(conn_);
}

void Connection::fail(const std::string& what, PGresult* result) {
  std::string reason = trimmed(result != nullptr ? PQresultErrorMessage(result) : "");
  if (reason.empty()) reason = trimmed(PQerrorMessage(conn_));
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state == nullptr ? "" : state;
  if (PQstatus(conn_) == CONNECTION_BAD) {
    throw Error::io(fmt::format(
        "the connection to {} was lost while {} ({}); nothing was written: check that the server "
        "is running and retry",
        where_, what, reason));
  }
  if (sqlstate == "42501") {
    throw Error::io(fmt::format(
        "permission denied on {} while {}: {}; grant the connecting role the privilege (nothing "
        "was written)",
        where_, what, reason));
  }
  if (sqlstate.rfind("42", 0) == 0) {  // syntax error or undefined table/column
    throw Error::invalid_argument(
        fmt::format("{} rejected the SQL while {}: {}", where_, what, reason));
  }
  throw Error::io(fmt::format("{} failed while {}: {}", where_, what, reason));
}

void Connection::exec(const std::string& sql) {
  ResultGuard r{PQexec(conn_, sql.c_str())};
  const auto status = PQresultStatus(r.r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail("running a command", r.r);
}

std::vector<std::vector<std::string>> Connection::query(const std::string& sql,
                                                        const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  ResultGuard r{PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0)};
  const auto status = PQresultStatus(r.r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail("running a query", r.r);
  std::vector<std::vector<std::string>> rows(static_cast<size_t>(PQntuples(r.r)));
  const int cols = PQnfields(r.r);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (int c = 0; c < cols; ++c) rows[i].emplace_back(PQgetvalue(r.r, static_cast<int>(i), c));
  }
  return rows;
}

std::vector<unsigned> Connection::column_types(const std::string& sql) {
  ResultGuard r{PQprepare(conn_, "", sql.c_str(), 0, nullptr)};
  if (PQresultStatus(r.r) != PGRES_COMMAND_OK) fail("checking the mapping", r.r);
  ResultGuard d{PQdescribePrepared(conn_, "")};
  if (PQresultStatus(d.r) != PGRES_COMMAND_OK) fail("checking the mapping", d.r);
  std::vector<unsigned> types;
  for (int c = 0; c < PQnfields(d.r); ++c) types.push_back(PQftype(d.r, c));
  return types;
}

void Connection::copy_out(const std::string& sql,
                          const std::function<void(std::string_view)>& on_line) {
  const std::string copy = "COPY (" + sql + ") TO STDOUT";
  {
    ResultGuard r{PQexec(conn_, copy.c_str())};
    if (PQresultStatus(r.r) != PGRES_COPY_OUT) fail("starting to read", r.r);
  }
  char* buffer = nullptr;
  int length = 0;
  // libpq returns one whole row per call in COPY text format.
  while ((length = PQgetCopyData(conn_, &buffer, 0)) > 0) {
    transfer_.bytes_received += static_cast<uint64_t>(length);
    ++transfer_.rows_received;
    std::string_view line(buffer, static_cast<size_t>(length));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    try {
      on_line(line);
    } catch (...) {
      PQfreemem(buffer);
      throw;
    }
    PQfreemem(buffer);
  }
  ResultGuard r{PQgetResult(conn_)};
  if (length == -2 || PQresultStatus(r.r) != PGRES_COMMAND_OK) fail("reading rows", r.r);
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
}

void Connection::copy_in(const std::string& copy_sql,
                         const std::function<bool(std::string&)>& next) {
  {
    ResultGuard r{PQexec(conn_, copy_sql.c_str())};
    if (PQresultStatus(r.r) != PGRES_COPY_IN) fail("starting to write", r.r);
  }
  std::string batch;
  bool more = true;
  while (more) {
    batch.clear();
    more = next(batch);
    if (batch.empty()) continue;
    if (PQputCopyData(conn_, batch.data(), static_cast<int>(batch.size())) != 1) {
      fail("writing rows");
    }
    transfer_.bytes_sent += batch.size();
    transfer_.rows_sent += static_cast<uint64_t>(std::count(batch.begin(), batch.end(), '\n'));
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) fail("finishing the write");
  ResultGuard r{PQgetResult(conn_)};
  if (PQresultStatus(r.r) != PGRES_COMMAND_OK) fail("writing rows", r.r);
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
}

void Connection::rollback_quietly() {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return;
  if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
  if (PQtransactionStatus(conn_) == PQTRANS_ACTIVE) {
    // Still inside a COPY or a running query: end it before the rollback.
    if (PGcancel* cancel = PQgetCancel(conn_)) {
      char err[256];
      PQcancel(cancel, err, sizeof err);
      PQfreeCancel(cancel);
    }
    PQputCopyEnd(conn_, "cancelled by clv-engine");
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  }
  PQclear(PQexec(conn_, "ROLLBACK"));
}

}  // namespace clv::pg

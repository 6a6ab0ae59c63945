// A libpq connection: commands, COPY out streamed line by line and COPY in
// in batches, with every failure turned into a clv::Error that names the
// (password-redacted) server and PostgreSQL's own reason.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "clv/postgres.hpp"

struct pg_conn;
struct pg_result;

namespace clv::pg {

class Connection {
 public:
  explicit Connection(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results; throws Error::io.
  void exec(const std::string& sql);
  // Runs a query with text parameters and returns the rows as text (NULL =
  // empty optional is not needed by callers: NULL reads as "").
  std::vector<std::vector<std::string>> query(const std::string& sql,
                                              const std::vector<std::string>& params = {});
  // The type OID of each column of `sql` without running it (LIMIT 0 shape).
  std::vector<unsigned> column_types(const std::string& sql);
  // COPY (sql) TO STDOUT: calls on_line with each text-format line (without
  // its newline). Counts payload bytes and rows in transfer().
  void copy_out(const std::string& sql, const std::function<void(std::string_view)>& on_line);
  // COPY table FROM STDIN: `next` fills a batch of text-format lines and
  // returns false when there are no more.
  void copy_in(const std::string& copy_sql, const std::function<bool(std::string&)>& next);

  // Cancels and closes the connection's transaction if one is open.
  void rollback_quietly();

  const PgTransfer& transfer() const { return transfer_; }
  const std::string& where() const { return where_; }
  const std::string& redacted() const { return redacted_; }  // "PostgreSQL at host=... port=..."
  int server_version() const;

 private:
  [[noreturn]] void fail(const std::string& what, pg_result* result = nullptr);
  pg_conn* conn_ = nullptr;
  std::string where_, redacted_;
  PgTransfer transfer_;
};

// 'text' as an SQL string literal (doubled quotes).
std::string quote_literal(std::string_view text);
// A table name as given by a mapping ("crm.orders" or "orders"), checked to
// be one or two plain identifiers, then quoted.
std::string quote_table(std::string_view name);
// COPY text-format escaping of one value.
void append_copy_text(std::string& out, std::string_view value);

}  // namespace clv::pg

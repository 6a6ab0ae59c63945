// Parsed transactions handed to a sector plugin before they are stored, as
// struct-of-arrays so a plugin can work column by column. A plugin may
// rewrite any value in place (e.g. map local kinds, fix currencies) or reject
// a row by setting reject_reason[i]; it must not resize the arrays.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace clv {

struct ImportTransactionBatch {
  std::vector<uint64_t> line;               // source line, for reject reports
  std::vector<std::string> transaction_id;  // empty when the file has none
  std::vector<std::string> customer_id;
  std::vector<int64_t> timestamp;     // UTC seconds since the Unix epoch
  std::vector<int64_t> amount_minor;  // integer minor units of `currency`
  std::vector<std::string> currency;  // ISO 4217, upper case
  std::vector<std::string> kind;      // purchase, return, refund, cancellation
  std::vector<int64_t> quantity;      // -1 when absent
  std::vector<std::string> category, channel, location;
  std::vector<std::string> reject_reason;  // set non-empty to reject row i

  size_t size() const { return line.size(); }
  void clear();
};

}  // namespace clv

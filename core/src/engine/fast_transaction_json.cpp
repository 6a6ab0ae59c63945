#include "engine/fast_transaction_json.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>

#include <simdjson.h>

#include "domain/calendar.hpp"
#include "engine/transaction_amount.hpp"

namespace clv {
namespace {

namespace dom = simdjson::dom;
using dom::element_type;

// An integer of int64 range, or false.
bool integer_of(dom::element v, int64_t& out) {
  if (v.type() == element_type::INT64) return !v.get_int64().get(out);
  if (v.type() == element_type::UINT64) {
    uint64_t u = 0;
    if (v.get_uint64().get(u) || u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return false;
    }
    out = static_cast<int64_t>(u);
    return true;
  }
  return false;
}

bool string_of(dom::element v, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s)) return false;
  out.assign(s);
  return true;
}

bool record_of(dom::object record, TransactionRecord& t) {
  bool has_time = false, has_amount = false, has_id = false;
  std::optional<double> major;  // converted once the currency is known
  for (const dom::key_value_pair field : record) {
    const std::string_view key = field.key;
    const dom::element v = field.value;
    if (key == "customer_id") {
      if (!string_of(v, t.customer_id)) return false;
    } else if (key == "timestamp") {
      if (v.type() == element_type::STRING) {
        std::string_view s;
        if (v.get_string().get(s) || !parse_timestamp(s, t.timestamp)) return false;
      } else if (!integer_of(v, t.timestamp)) {
        return false;
      }
      has_time = true;
    } else if (key == "amount_minor") {
      if (has_amount || !integer_of(v, t.amount_minor)) return false;
      has_amount = true;
    } else if (key == "amount") {
      if (has_amount) return false;
      double a = 0;
      int64_t whole = 0;
      if (v.type() == element_type::DOUBLE) {
        if (v.get_double().get(a)) return false;
      } else if (integer_of(v, whole)) {
        a = static_cast<double>(whole);
      } else {
        return false;
      }
      if (!std::isfinite(a)) return false;
      major = a;
      has_amount = true;
    } else if (key == "currency") {
      if (!string_of(v, t.currency)) return false;
    } else if (key == "kind") {
      if (!string_of(v, t.kind)) return false;
    } else if (key == "id" || key == "transaction_id") {
      if (has_id || !string_of(v, t.id)) return false;
      has_id = true;
    } else if (key == "reference") {
      if (!string_of(v, t.reference)) return false;
    } else if (key == "payer") {
      if (!string_of(v, t.payer)) return false;
    } else if (key == "quantity") {
      int64_t q = 0;
      if (!integer_of(v, q)) return false;
      t.quantity = q;
    } else if (key == "category") {
      if (!string_of(v, t.category)) return false;
    } else if (key == "channel") {
      if (!string_of(v, t.channel)) return false;
    } else if (key == "location") {
      if (!string_of(v, t.location)) return false;
    } else {
      return false;
    }
  }
  if (t.customer_id.empty() || !has_time || !has_amount) return false;
  if (major) {
    const std::optional<int64_t> minor = minor_units_of(*major, t.currency);
    if (!minor) return false;
    t.amount_minor = *minor;
  }
  return true;
}

bool records_of(dom::array list, size_t max_records, std::vector<TransactionRecord>& out) {
  out.reserve(list.size());  // size() saturates at 2^24 - 1: only a hint
  for (const dom::element element : list) {
    dom::object record;
    if (element.get_object().get(record)) return false;
    if (max_records && out.size() >= max_records) return false;
    if (!record_of(record, out.emplace_back())) return false;
  }
  return true;
}

// Bodies above this go to the streaming parser: the DOM parser holds about
// 14 bytes per byte of input while it works.
constexpr size_t kMaxFastBytes = size_t{8} << 20;
// At most this many DOM parsers exist (their buffers are kept for reuse);
// when all are busy a batch takes the streaming parser.
constexpr size_t kMaxParsers = 2;

class ParserPool {
 public:
  std::unique_ptr<dom::parser> take() {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto p = std::move(idle_.back());
      idle_.pop_back();
      return p;
    }
    if (created_ == kMaxParsers) return nullptr;
    ++created_;
    return std::make_unique<dom::parser>();
  }
  void give_back(std::unique_ptr<dom::parser> p) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(p));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<dom::parser>> idle_;
  size_t created_ = 0;
};

ParserPool& parsers() {
  static ParserPool pool;
  return pool;
}

}  // namespace

std::optional<std::vector<TransactionRecord>> parse_transactions_fast(std::string_view text,
                                                                      size_t max_records) {
  if (text.size() > kMaxFastBytes) return std::nullopt;
  // The DOM parser validates the whole text (trailing bytes too) and picks
  // the CPU's kernel at run time.
  std::unique_ptr<dom::parser> parser = parsers().take();
  if (!parser) return std::nullopt;
  struct GiveBack {
    std::unique_ptr<dom::parser>& p;
    ~GiveBack() { parsers().give_back(std::move(p)); }
  } give_back{parser};
  dom::element root;
  if (parser->parse(text.data(), text.size()).get(root)) return std::nullopt;
  std::vector<TransactionRecord> out;
  dom::array list;
  if (root.type() == element_type::ARRAY) {
    if (root.get_array().get(list)) return std::nullopt;
  } else {
    dom::object body;
    if (root.get_object().get(body) || body.size() != 1) return std::nullopt;
    const dom::key_value_pair only = *body.begin();
    if (only.key != "transactions" || only.value.get_array().get(list)) return std::nullopt;
  }
  if (!records_of(list, max_records, out)) return std::nullopt;
  return out;
}

}  // namespace clv

// The common shape of a transaction batch, parsed with simdjson's DOM parser:
// several times faster than nlohmann's SAX parser, which was the largest cost
// of an HTTP ingest outside SQLite. It accepts exactly what the strict parser
// accepts and gives up (nullopt) on anything else, errors included; the
// caller then runs the strict parser for its answer and error message.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "clv/engine.hpp"

namespace clv {

std::optional<std::vector<TransactionRecord>> parse_transactions_fast(std::string_view text,
                                                                      size_t max_records);

}  // namespace clv

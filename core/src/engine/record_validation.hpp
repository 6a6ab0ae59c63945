// Checks of one ingested record, done for a whole batch before anything is
// stored, so a bad record rejects the batch and changes nothing.
#pragma once

#include <cstddef>

#include "clv/engine.hpp"

namespace clv {

// Throw Error::invalid_argument naming the record index and field.
void validate_transaction(const TransactionRecord& r, size_t index);
void validate_incident(const IncidentRecord& r, size_t index);

}  // namespace clv

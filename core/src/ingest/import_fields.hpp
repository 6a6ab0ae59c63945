// The canonical fields of each importable entity (positions in
// entity_fields()), which of them a file must have, and how a row parser
// says a row cannot be stored.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "clv/entity.hpp"

namespace clv {

enum TxnField {
  kTxnId,
  kTxnCustomer,
  kTxnTimestamp,
  kTxnAmount,
  kTxnCurrency,
  kTxnKind,
  kTxnQuantity,
  kTxnCategory,
  kTxnChannel,
  kTxnLocation,
  kTxnReference,  // import-only: order/folio/booking id for sector plugins
  kTxnPayer       // import-only: raw payer text for sector plugins
};
enum IncField {
  kIncId,
  kIncCustomer,
  kIncOpened,
  kIncResolved,
  kIncSeverity,
  kIncCategory,
  kIncChannel,
  kIncOutcome,
  kIncSatisfaction,
  kIncEmployee,
  kIncCompensation
};
enum CusField { kCusId, kCusSector, kCusSegment, kCusRegion, kCusAcquired };
enum EmpField { kEmpId, kEmpRole, kEmpLocation, kEmpTrust };  // 6 scores from kEmpTrust on

const std::vector<size_t>& required_fields(Entity entity);

// A row that failed validation: which field (for the column) and why.
struct RowReject {
  int field = -1;  // -1: the record as a whole
  std::string reason;
};

inline constexpr const char* kDateHint = "expected ISO 8601 like 2024-01-31 or YYYYMMDD";

}  // namespace clv

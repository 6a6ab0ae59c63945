// What one import did: every input row is counted exactly once as inserted,
// duplicate (already stored, matched by external id or by file content) or
// rejected (written to the rejects file with the reason).
#pragma once

#include <cstdint>
#include <string>

namespace clv {

struct ImportResult {
  uint64_t inserted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t customers_created = 0;  // unknown customers created by transactions/incidents
  std::string rejects_file;        // empty when nothing was rejected
  bool already_imported = false;   // the same content was imported before (no-op)
};

}  // namespace clv

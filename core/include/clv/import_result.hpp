// What one import did: every input row is counted exactly once as inserted,
// duplicate (already stored, matched by external id or by file content) or
// rejected (written to the rejects file with the reason).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace clv {

// What one sector's plugin did to the rows of that sector's customers.
struct SectorNormalization {
  std::string plugin;  // plugin id
  uint64_t rows = 0;   // rows handed to the plugin
  uint64_t kept = 0;   // rows stored (possibly with a changed amount)
  uint64_t dropped = 0;
  uint64_t netted = 0, merged = 0, cancelled = 0, flagged = 0, adjusted = 0;
};

struct ImportResult {
  uint64_t inserted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t customers_created = 0;  // unknown customers created by transactions/incidents
  // Customers rows that filled in a stored customer's empty attributes
  // (sector, segment, region, acquired_at, extra columns), e.g. of customers
  // that a transactions import created first. Counted instead of duplicates.
  uint64_t updated = 0;
  std::string rejects_file;       // empty when nothing was rejected
  bool already_imported = false;  // the same content was imported before (no-op)

  // Sector plugins (transactions with ImportOptions::plugins): every input row
  // is inserted, duplicate, rejected or normalized_away. Rows a plugin merged,
  // netted or cancelled away (and rows it flagged for review but kept) are
  // listed in normalized_file.
  std::map<std::string, SectorNormalization> normalized;  // by sector
  std::map<std::string, uint64_t> no_plugin;  // rows stored unchanged, by sector ("" = none)
  uint64_t normalized_away = 0;
  std::string normalized_file;  // empty when no row was dropped or flagged
};

}  // namespace clv

// How to read and validate one file for `clv::import_file`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "clv/import_transaction_batch.hpp"
#include "clv/progress.hpp"

namespace clv {

class PluginRegistry;

enum class InputFormat {
  kAuto,        // whitespace for a .txt file whose first line has no comma, else CSV
  kCsv,         // RFC 4180 with `delimiter`
  kWhitespace,  // runs of spaces/tabs (CDNOW_master.txt)
};

struct ImportOptions {
  InputFormat format = InputFormat::kAuto;
  char delimiter = ',';
  bool has_header = true;
  // field -> column, column by header name or 1-based position ("3").
  // Unmapped fields are matched to header columns of the same name
  // (case-insensitive); without a header, columns follow the canonical field order.
  std::vector<std::pair<std::string, std::string>> column_map;
  std::string sector;                    // sector of customers created on the fly
  bool require_known_customers = false;  // reject rows of unknown customers instead
  std::string default_currency = "USD";  // when the file has no currency column
  // Where rejected rows go. Empty: "<file name>.rejects.csv" in the directory
  // of the database (the current directory for an in-memory import).
  std::string rejects_path;
  // SQLite page cache for the import; big loads stay in memory until commit.
  int cache_mib = 256;
  // Stage "import": done/total in input bytes (total 0 when unknown), items =
  // records read; called every kProgressRowStride rows and once at the end
  // (after the commit) with done == total.
  ProgressCallback progress;
  // Low-level seam: edits parsed transactions before they are stored (tests, feeds).
  std::function<void(ImportTransactionBatch&)> normalize_transactions;
  // Sector plugins (hook 1). When set, each transaction goes to the normalize
  // hook of the plugin of its customer's sector (customers table, or `sector`
  // for customers the file creates); rows of sectors without a loaded plugin
  // are stored unchanged and counted per sector. Must outlive the import.
  const PluginRegistry* plugins = nullptr;
  // Reject (instead of storing unchanged) transactions of customers whose
  // sector names no loaded plugin: a later import with the plugin would find
  // them already stored and normalize nothing.
  bool require_plugins = false;
  // Where rows a plugin dropped (netted, merged, cancelled) or flagged are
  // listed. Empty: "<file name>.normalized.csv" next to the rejects file.
  std::string normalized_path;
  // More rejected rows than this fail the whole import (Error::invalid_argument,
  // nothing committed): a file that is mostly wrong is a wrong file or a wrong
  // --map, not data to store. The rejects file is still written, with the
  // rows rejected up to the line that crossed the limit (the error names it),
  // so the user sees why. Default: no limit.
  uint64_t max_rejects = UINT64_MAX;
};

}  // namespace clv

// Validated, atomic, idempotent import of customer data. One call is one
// database transaction: either all valid rows are stored or (on an error or a
// crash) none. Invalid rows never abort the import; they are written to a
// rejects CSV (file,line,column,reason,original_text) and counted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "clv/database.hpp"
#include "clv/entity.hpp"
#include "clv/import_options.hpp"
#include "clv/import_result.hpp"

namespace clv {

// Imports the file at `path`. Throws clv::Error: not_found/io for unreadable
// files, invalid_argument for a bad --map or a missing required column.
ImportResult import_file(Database& db, Entity entity, const std::string& path,
                         const ImportOptions& options = {});

// Same validation for rows already in memory (CRM feeds, HTTP/C API).
// `source_name` names the batch in the rejects file and in imported_files.
ImportResult import_text(Database& db, Entity entity, std::string_view text,
                         const std::string& source_name, const ImportOptions& options = {});

// The canonical field names of an entity, in their default column order.
const std::vector<std::string_view>& entity_fields(Entity entity);

}  // namespace clv

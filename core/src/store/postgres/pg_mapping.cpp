// The mapping from the CRM's tables to the engine's entities, read from TOML
// or JSON, and the password-redacted form of a connection string.
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/postgres.hpp"
#include "store/postgres/pg_connection.hpp"

namespace clv {
namespace {

struct EntityFields {
  std::string_view entity;
  std::vector<std::string_view> fields;
};

const std::array<EntityFields, 4>& known_fields() {
  static const std::array<EntityFields, 4> kKnown = {{
      {"transactions", {"customer_id", "timestamp", "amount", "amount_minor", "currency", "kind"}},
      {"customers", {"customer_id", "segment", "region", "sector"}},
      {"incidents",
       {"customer_id", "opened_at", "resolved_at", "severity", "category", "satisfaction",
        "compensation", "employee_id"}},
      {"employees", {"employee_id"}},
  }};
  return kKnown;
}

PgTableMapping& table_of(PgMapping& m, std::string_view entity) {
  if (entity == "transactions") return m.transactions;
  if (entity == "customers") return m.customers;
  if (entity == "incidents") return m.incidents;
  return m.employees;
}

[[noreturn]] void bad(const std::string& source, const std::string& what) {
  throw Error::invalid_argument(fmt::format("mapping {}: {}", source, what));
}

// A generic tree so TOML and JSON share one reader.
using Tree = nlohmann::json;

Tree toml_to_tree(const toml::node& node) {
  if (const auto* t = node.as_table()) {
    Tree out = Tree::object();
    for (const auto& [k, v] : *t) out[std::string(k.str())] = toml_to_tree(v);
    return out;
  }
  if (const auto* s = node.as_string()) return s->get();
  if (node.is_array()) return Tree::array();  // no arrays in a mapping: reported as not text
  return Tree(nullptr);
}

void check_text(const Tree& value, const std::string& source, const std::string& key) {
  if (!value.is_string()) bad(source, fmt::format("'{}' must be a string", key));
  if (value.get<std::string>().empty()) bad(source, fmt::format("'{}' is empty", key));
}

}  // namespace

const std::string* PgTableMapping::field(std::string_view name) const {
  for (const auto& [f, expr] : fields) {
    if (f == name) return &expr;
  }
  return nullptr;
}

PgMapping default_pg_mapping() {
  PgMapping m;
  m.transactions.table = "transactions";
  m.transactions.fields = {{"customer_id", "customer_id"},
                           {"timestamp", "ts"},
                           {"amount_minor", "amount_minor"},
                           {"currency", "currency"},
                           {"kind", "kind"}};
  m.source = "(engine schema)";
  return m;
}

PgMapping parse_pg_mapping(std::string_view text, bool json, const std::string& source) {
  Tree tree;
  if (json) {
    try {
      tree = Tree::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      bad(source, fmt::format("not valid JSON: {}", e.what()));
    }
  } else {
    try {
      tree = toml_to_tree(toml::parse(text, source));
    } catch (const toml::parse_error& e) {
      bad(source,
          fmt::format("not valid TOML at line {}: {}", e.source().begin.line, e.description()));
    }
  }
  if (!tree.is_object()) bad(source, "the top level must be a table/object");
  PgMapping m;
  m.source = source;
  for (const auto& [key, value] : tree.items()) {
    if (key == "scores_table") {
      check_text(value, source, key);
      m.scores_table = value.get<std::string>();
      continue;
    }
    const auto& known = known_fields();
    const auto entity = std::find_if(known.begin(), known.end(),
                                     [&](const EntityFields& e) { return e.entity == key; });
    if (entity == known.end()) {
      bad(source, fmt::format("unknown key '{}' (expected transactions, customers, incidents, "
                              "employees or scores_table)",
                              key));
    }
    if (!value.is_object()) bad(source, fmt::format("'{}' must be a table/object", key));
    PgTableMapping& table = table_of(m, key);
    for (const auto& [k, v] : value.items()) {
      const std::string path = key + "." + k;
      if (k == "table") {
        check_text(v, source, path);
        table.table = v.get<std::string>();
      } else if (k == "filter") {
        check_text(v, source, path);
        table.filter = v.get<std::string>();
      } else if (k == "fields") {
        if (!v.is_object()) bad(source, fmt::format("'{}' must be a table/object", path));
        for (const auto& [f, expr] : v.items()) {
          const std::string fpath = path + "." + f;
          if (std::find(entity->fields.begin(), entity->fields.end(), f) == entity->fields.end()) {
            std::string list;
            for (auto name : entity->fields) {
              if (!list.empty()) list += ", ";
              list += name;
            }
            bad(source, fmt::format("unknown field '{}' (fields of {}: {})", fpath, key, list));
          }
          check_text(expr, source, fpath);
          table.fields.emplace_back(f, expr.get<std::string>());
        }
      } else {
        bad(source, fmt::format("unknown key '{}' (expected table, filter, fields)", path));
      }
    }
    if (table.table.empty()) bad(source, fmt::format("'{}.table' is missing", key));
    try {
      pg::quote_table(table.table);
    } catch (const Error& e) {
      bad(source, fmt::format("{}.table: {}", key, e.what()));
    }
  }
  const PgTableMapping& tx = m.transactions;
  if (tx.table.empty()) bad(source, "the [transactions] table is missing");
  for (const char* required : {"customer_id", "timestamp"}) {
    if (tx.field(required) == nullptr) {
      bad(source, fmt::format("transactions.fields.{} is missing", required));
    }
  }
  if ((tx.field("amount") == nullptr) == (tx.field("amount_minor") == nullptr)) {
    bad(source,
        "map exactly one of transactions.fields.amount (major units) and "
        "transactions.fields.amount_minor (minor units, scaled by the currency)");
  }
  return m;
}

PgMapping load_pg_mapping(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::not_found(fmt::format("cannot open the mapping file '{}'", path));
  std::ostringstream text;
  text << in.rdbuf();
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext != ".toml" && ext != ".json") {
    throw Error::invalid_argument(
        fmt::format("mapping file '{}': name it .toml or .json so its format is known", path));
  }
  return parse_pg_mapping(text.str(), ext == ".json", path);
}

std::string redact_conninfo(std::string_view conninfo) {
  char* error = nullptr;
  const std::string text(conninfo);
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  if (options == nullptr) {
    if (error != nullptr) PQfreemem(error);
    return "(unparseable connection string)";
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    const std::string_view key = o->keyword;
    const bool secret = key == "password" || key == "sslpassword" || key == "sslkey";
    if (!out.empty()) out += ' ';
    out += key;
    out += '=';
    out += secret ? "***" : o->val;
  }
  PQconninfoFree(options);
  return out.empty() ? "(defaults)" : out;
}

namespace pg {
std::string redact_conninfo_impl(std::string_view conninfo) {
  return redact_conninfo(conninfo);
}
}  // namespace pg

}  // namespace clv

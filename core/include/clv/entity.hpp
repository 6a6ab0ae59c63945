// The kinds of records clv-engine imports and stores.
#pragma once

#include <optional>
#include <string_view>

namespace clv {

enum class Entity { kCustomers, kTransactions, kIncidents, kEmployees };

// "customers", "transactions", "incidents", "employees".
std::string_view entity_name(Entity entity);

// Inverse of entity_name; nullopt for any other text.
std::optional<Entity> parse_entity(std::string_view name);

}  // namespace clv

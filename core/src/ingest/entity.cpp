#include "clv/entity.hpp"

namespace clv {

std::string_view entity_name(Entity entity) {
  switch (entity) {
    case Entity::kCustomers:
      return "customers";
    case Entity::kTransactions:
      return "transactions";
    case Entity::kIncidents:
      return "incidents";
    case Entity::kEmployees:
      return "employees";
  }
  return "unknown";
}

std::optional<Entity> parse_entity(std::string_view name) {
  for (Entity e :
       {Entity::kCustomers, Entity::kTransactions, Entity::kIncidents, Entity::kEmployees}) {
    if (entity_name(e) == name) return e;
  }
  return std::nullopt;
}

}  // namespace clv

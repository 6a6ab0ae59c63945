// The sectors of imported customers, which select their sector plugin in
// summary and scoring (time unit, economics).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "clv/database.hpp"

namespace clv {

// Customers that have transactions, counted by sector ("" = no sector).
std::map<std::string, uint64_t> transaction_customers_by_sector(Database& db);

// Sector of every stored customer by external id ("" = no sector).
std::unordered_map<std::string, std::string> customer_sectors(Database& db);

}  // namespace clv

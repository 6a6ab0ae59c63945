// Keeps a generated portfolio in memory, grouped by customer, for tests.
#pragma once

#include <vector>

#include "clv/portfolio_generator.hpp"

namespace clv::testing_synth {

struct CustomerHistory {
  SyntheticCustomer customer;
  std::vector<SyntheticTransaction> transactions;
  std::vector<SyntheticIncident> incidents;
};

class CollectingSink final : public PortfolioSink {
 public:
  void employee(const SyntheticEmployee& e) override { employees.push_back(e); }
  void customer(const SyntheticCustomer& c) override { customers.push_back({c, {}, {}}); }
  void transaction(const SyntheticTransaction& t) override {
    customers.back().transactions.push_back(t);
  }
  void incident(const SyntheticIncident& i) override { customers.back().incidents.push_back(i); }

  std::vector<SyntheticEmployee> employees;
  std::vector<CustomerHistory> customers;
};

}  // namespace clv::testing_synth

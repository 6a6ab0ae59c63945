// The five first-party sector plugins, loaded as modules through the host
// exactly like a vendor's, each checked on small hand-made records.
#include <cmath>
#include <map>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "clv/plugin_registry.hpp"

namespace {

using clv::IncidentOutcome;
using clv::TransactionKind;
namespace flag = clv::row_flag;

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
const double kNaN = std::nan("");

const std::map<std::string, std::string> kLibraries = {
    {"retail", CLV_PLUGIN_LIBRARY_retail},         {"hospitality", CLV_PLUGIN_LIBRARY_hospitality},
    {"healthcare", CLV_PLUGIN_LIBRARY_healthcare}, {"travel", CLV_PLUGIN_LIBRARY_travel},
    {"financial", CLV_PLUGIN_LIBRARY_financial},
};

// One registry for the whole file: loading is what the first test checks.
const clv::PluginRegistry& registry() {
  static const clv::PluginRegistry loaded = [] {
    clv::PluginRegistry r;
    clv::PluginSearchOptions options;
    options.plugin_dirs = {CLV_FIRST_PARTY_PLUGIN_DIR};
    options.use_environment = false;
    options.use_install_prefix = false;
    auto problems = r.discover(options);
    for (const auto& p : problems) ADD_FAILURE() << p.path << ": " << p.message;
    return r;
  }();
  return loaded;
}

clv::SectorPlugin plugin(const std::string& id) {
  return registry().for_sector(id);
}

bool has(const clv::TransactionBatch& b, std::size_t row, uint32_t f) {
  return (b.flags[row] & f) == f;
}

clv::IncidentBatch incidents_with(std::vector<std::string> categories) {
  clv::IncidentBatch b;
  b.category_names = std::move(categories);
  b.employees = {{1, 1, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 0}, {1, 0, 0, 1, 0, 0}};
  return b;
}

TEST(SectorPlugins, AllFiveLoadAsModulesFromTheirBuiltLibraries) {
  std::vector<std::string> ids;
  for (const auto& p : registry().plugins()) {
    ids.push_back(p.id());
    ASSERT_TRUE(kLibraries.count(p.id())) << p.id();
    EXPECT_EQ(p.info().library_path, kLibraries.at(p.id()));
    EXPECT_EQ(p.info().abi_version, clv::host_plugin_abi_version());
    EXPECT_EQ(p.covariate_names().size(), 6u) << p.id();
    EXPECT_GE(p.levers().size(), 2u) << p.id();
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"financial", "healthcare", "hospitality", "retail",
                                           "travel"}));
}

TEST(SectorPlugins, FoundWithoutAnyConfigurationFromTheBuildTree) {
  // No --plugin-dir, no CLV_PLUGIN_PATH: a program run from the build tree
  // finds the first-party plugins where the build put them.
  clv::PluginRegistry r;
  clv::PluginSearchOptions options;
  options.use_environment = false;
  for (const auto& p : r.discover(options)) ADD_FAILURE() << p.path << ": " << p.message;
  for (const auto& [id, library] : kLibraries) {
    ASSERT_TRUE(r.has_sector(id)) << id;
    EXPECT_EQ(r.for_sector(id).info().library_path, library);
  }
}

TEST(SectorPlugins, EconomicsDifferBySectorAndMatchTheirModels) {
  const auto retail = plugin("retail").economics();
  EXPECT_EQ(retail.default_model, clv::ModelKind::kBgNbd);
  EXPECT_EQ(retail.time_unit.name, "week");
  EXPECT_FALSE(retail.contractual);
  const auto hotel = plugin("hospitality").economics();
  EXPECT_EQ(hotel.default_model, clv::ModelKind::kParetoNbd);
  EXPECT_EQ(hotel.time_unit.name, "month");
  EXPECT_GT(hotel.referral_value, retail.referral_value);
  EXPECT_EQ(plugin("healthcare").economics().default_model, clv::ModelKind::kMbgNbd);
  const auto travel = plugin("travel").economics();
  EXPECT_EQ(travel.default_model, clv::ModelKind::kBgBb);
  EXPECT_TRUE(travel.discrete);
  EXPECT_FALSE(travel.contractual);
  const auto bank = plugin("financial").economics();
  EXPECT_EQ(bank.default_model, clv::ModelKind::kSbg);
  EXPECT_TRUE(bank.contractual);
  EXPECT_TRUE(bank.discrete);
  std::set<double> margins;
  for (const auto& p : registry().plugins()) margins.insert(p.economics().default_margin);
  EXPECT_EQ(margins.size(), 5u);
}

// ----------------------------------------------------------------- retail

TEST(RetailPlugin, FoldsOrderLinesNetsReturnsAndDropsWhatIsNoPurchase) {
  clv::TransactionBatch b;
  b.add(0, 1 * kDay, TransactionKind::kCharge, 30.0, 100);       // 0 order 100 line
  b.add(0, 1 * kDay, TransactionKind::kCharge, 20.0, 100);       // 1 order 100 line
  b.add(0, 3 * kDay, TransactionKind::kReturn, 20.0, 100);       // 2 partial return
  b.add(0, 5 * kDay, TransactionKind::kPurchase, 40.0, 200);     // 3 order 200
  b.add(0, 6 * kDay, TransactionKind::kReturn, 40.0, 200);       // 4 full return
  b.add(0, 7 * kDay, TransactionKind::kReturn, 15.0, 999);       // 5 unmatched return
  b.add(1, 2 * kDay, TransactionKind::kCancellation, 0.0, 300);  // 6
  b.add(1, 4 * kDay, TransactionKind::kPurchase, 0.0);           // 7 free replacement
  b.add(1, 8 * kDay, TransactionKind::kPurchase, 12.5);          // 8 plain purchase
  const auto report = plugin("retail").normalize_transactions(b);
  EXPECT_DOUBLE_EQ(b.amount[0], 30.0);  // 30 + 20 - 20
  EXPECT_TRUE(has(b, 0, flag::kAdjusted));
  EXPECT_FALSE(has(b, 0, flag::kDrop));
  EXPECT_TRUE(has(b, 1, flag::kDrop | flag::kMerged));
  EXPECT_EQ(b.merged_into[1], 0);
  EXPECT_TRUE(has(b, 2, flag::kDrop | flag::kNetted));
  EXPECT_EQ(b.merged_into[2], 0);
  EXPECT_TRUE(has(b, 3, flag::kDrop));  // fully returned: no purchase
  EXPECT_TRUE(has(b, 5, flag::kDrop | flag::kFlagged));
  EXPECT_TRUE(has(b, 6, flag::kDrop | flag::kCancelled));
  EXPECT_TRUE(has(b, 7, flag::kDrop | flag::kFlagged));
  EXPECT_EQ(b.flags[8], 0u);
  EXPECT_EQ(report.kept, 2u);
  EXPECT_EQ(report.dropped, 7u);
  b.erase_dropped();
  EXPECT_EQ(b.amount, (std::vector<double>{30.0, 12.5}));
}

TEST(RetailPlugin, MapsPayers) {
  clv::TransactionBatch b;
  b.payer_labels = {"Corporate account", "Gift card", " ", "Marketplace"};
  for (int32_t i = 0; i < 4; ++i) b.add(i, 0, TransactionKind::kPurchase, 1.0, -1, i);
  plugin("retail").normalize_transactions(b);
  using P = clv::PayerClass;
  EXPECT_EQ(b.payer_class, (std::vector<int32_t>{int32_t(P::kEmployer), int32_t(P::kSelf),
                                                 int32_t(P::kUnknown), int32_t(P::kOther)}));
}

TEST(RetailPlugin, IncidentCovariatesWeighSeveritySlaAndRepeatContacts) {
  auto b = incidents_with({"Product defect", "Delivery"});
  b.add(0, 0, 48 * kHour, 4, 0, IncidentOutcome::kResolved, 0.9, 0);  // defect, SLA 72h met
  b.add(0, 10 * kDay, 10 * kDay + 48 * kHour, 2, 1, IncidentOutcome::kPartial, kNaN,
        1);                                                          // delivery 24h SLA, 48h
  b.add(0, 50 * kDay, -1, 1, 1, IncidentOutcome::kUnresolved, 0.0);  // still open
  const auto c = plugin("retail").incident_covariates(b);
  ASSERT_EQ(c.rows, 3u);
  EXPECT_DOUBLE_EQ(c.at(0, c.column("weighted_severity")), 1.8 * 1.4);
  EXPECT_DOUBLE_EQ(c.at(0, c.column("sla_overrun")), 0.0);
  EXPECT_DOUBLE_EQ(c.at(1, c.column("sla_overrun")), 1.0);  // (48 - 24) / 24
  EXPECT_DOUBLE_EQ(c.at(2, c.column("sla_overrun")), 3.0);  // open counts as 3 SLAs late
  EXPECT_DOUBLE_EQ(c.at(0, c.column("unresolved")), 0.0);
  EXPECT_DOUBLE_EQ(c.at(1, c.column("unresolved")), 0.5);
  EXPECT_DOUBLE_EQ(c.at(2, c.column("unresolved")), 1.0);
  EXPECT_NEAR(c.at(0, c.column("dissatisfaction")), 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(c.at(1, c.column("dissatisfaction")), 0.5);  // partial, not asked: prior
  EXPECT_NEAR(c.at(0, c.column("handler_risk")), 0.0, 1e-12);
  EXPECT_NEAR(c.at(1, c.column("handler_risk")), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(c.at(2, c.column("handler_risk")), 0.5);  // unknown handler
  EXPECT_DOUBLE_EQ(c.at(0, c.column("repeat_contact_30d")), 0.0);
  EXPECT_DOUBLE_EQ(c.at(1, c.column("repeat_contact_30d")), 1.0);
  EXPECT_DOUBLE_EQ(c.at(2, c.column("repeat_contact_30d")), 0.0);  // 40 days later
}

TEST(RetailPlugin, RefusesAnIncidentResolvedBeforeItOpened) {
  auto b = incidents_with({"Delivery"});
  b.add(0, 10 * kDay, 9 * kDay, 2, 0, IncidentOutcome::kResolved, 0.5);
  try {
    plugin("retail").incident_covariates(b);
    FAIL();
  } catch (const clv::Error& e) {
    EXPECT_EQ(e.code(), clv::ErrorCode::kPluginError);
    EXPECT_THAT(e.what(), testing::HasSubstr("resolved before it was opened"));
  }
}

// ------------------------------------------------------------ hospitality

TEST(HospitalityPlugin, MergesAFolioIntoOneStayAndKeepsRefundedStays) {
  clv::TransactionBatch b;
  b.add(0, 10 * kDay, TransactionKind::kPurchase, 200.0, 7);     // 0 room nights
  b.add(0, 11 * kDay, TransactionKind::kCharge, 15.0, 7);        // 1 minibar
  b.add(0, 11 * kDay, TransactionKind::kCharge, 60.0, 7);        // 2 spa
  b.add(0, 12 * kDay, TransactionKind::kReturn, 275.0, 7);       // 3 full goodwill refund
  b.add(0, 40 * kDay, TransactionKind::kCancellation, 0.0, 8);   // 4 free cancellation
  b.add(0, 60 * kDay, TransactionKind::kCancellation, 50.0, 9);  // 5 late-cancel fee
  const auto report = plugin("hospitality").normalize_transactions(b);
  EXPECT_TRUE(has(b, 1, flag::kDrop | flag::kMerged));
  EXPECT_TRUE(has(b, 2, flag::kDrop | flag::kMerged));
  EXPECT_EQ(b.merged_into[2], 0);
  EXPECT_TRUE(has(b, 3, flag::kDrop | flag::kNetted));
  EXPECT_FALSE(has(b, 0, flag::kDrop));  // the guest stayed
  EXPECT_TRUE(has(b, 0, flag::kFlagged));
  EXPECT_DOUBLE_EQ(b.amount[0], 0.0);
  EXPECT_TRUE(has(b, 4, flag::kDrop | flag::kCancelled));
  EXPECT_FALSE(has(b, 5, flag::kDrop));
  EXPECT_TRUE(has(b, 5, flag::kCancelled | flag::kFlagged));
  EXPECT_EQ(report.kept, 2u);
}

TEST(HospitalityPlugin, PartialRefundReducesTheStay) {
  clv::TransactionBatch b;
  b.add(0, 0, TransactionKind::kPurchase, 300.0, 1);
  b.add(0, kDay, TransactionKind::kCharge, 20.0, 1);
  b.add(0, 2 * kDay, TransactionKind::kReturn, 50.0, 1);
  plugin("hospitality").normalize_transactions(b);
  EXPECT_DOUBLE_EQ(b.amount[0], 270.0);
  EXPECT_FALSE(has(b, 0, flag::kFlagged));
}

// Lines without a folio id, as the importer passes them: the reference is
// the row's own transaction id, implied by the host (reference_given 0).
void night(clv::TransactionBatch& b, int64_t customer, int64_t day, double amount, int64_t location,
           TransactionKind kind = TransactionKind::kPurchase) {
  const auto own_id = static_cast<int64_t>(b.size());
  b.add(customer, day * kDay + 23 * kHour, kind, amount, own_id, -1, location, false);
}

TEST(HospitalityPlugin, MergesConsecutiveNightsWithoutAFolioAtOneHotel) {
  constexpr int64_t kLisbon = 0;
  clv::TransactionBatch b;
  night(b, 0, 10, 80.0, kLisbon);                            // 0 first night
  night(b, 0, 11, 80.0, kLisbon);                            // 1 second night
  night(b, 0, 11, 20.0, kLisbon, TransactionKind::kCharge);  // 2 spa, same night
  night(b, 0, 12, 85.0, kLisbon);                            // 3 third night
  night(b, 0, 40, 90.0, kLisbon);                            // 4 a later stay
  const auto report = plugin("hospitality").normalize_transactions(b);
  for (std::size_t row : {1, 2, 3}) {
    EXPECT_TRUE(has(b, row, flag::kDrop | flag::kMerged)) << row;
    EXPECT_EQ(b.merged_into[row], 0) << row;
  }
  EXPECT_FALSE(has(b, 0, flag::kDrop));
  EXPECT_DOUBLE_EQ(b.amount[0], 80.0 + 80.0 + 20.0 + 85.0);
  EXPECT_FALSE(has(b, 4, flag::kDrop));
  EXPECT_DOUBLE_EQ(b.amount[4], 90.0);
  EXPECT_EQ(report.merged, 3u);
  EXPECT_EQ(report.kept, 2u);
}

TEST(HospitalityPlugin, AGapNightAnotherHotelOrAFolioIdKeepsLinesApart) {
  constexpr int64_t kLisbon = 0, kRome = 1;
  clv::TransactionBatch b;
  night(b, 0, 10, 80.0, kLisbon);  // 0
  night(b, 0, 12, 80.0, kLisbon);  // 1 a night with no line between: another stay
  night(b, 1, 10, 80.0, kLisbon);  // 2
  night(b, 1, 11, 95.0, kRome);    // 3 next night, another hotel
  // Customer 2: folio ids from the data group lines; nights never override them.
  b.add(2, 10 * kDay, TransactionKind::kPurchase, 80.0, 7, -1, kLisbon, true);  // 4 folio 7
  b.add(2, 11 * kDay, TransactionKind::kPurchase, 80.0, 8, -1, kLisbon, true);  // 5 folio 8
  night(b, 2, 12, 80.0, kLisbon);  // 6 no folio, after a folio line: not merged into it
  night(b, 3, 10, 80.0, -1);       // 7 no location known
  night(b, 3, 11, 80.0, -1);       // 8
  night(b, 4, 10, 80.0, kLisbon);  // 9 same hotel, other customer's nights
  night(b, 5, 11, 80.0, kLisbon);  // 10
  const auto report = plugin("hospitality").normalize_transactions(b);
  EXPECT_EQ(report.merged, 0u);
  EXPECT_EQ(report.kept, b.size());
  for (std::size_t row = 0; row < b.size(); ++row) {
    EXPECT_FALSE(has(b, row, flag::kDrop)) << row;
    EXPECT_EQ(b.merged_into[row], -1) << row;
  }
}

TEST(HospitalityPlugin, ARefundOfAMergedNightNetsAgainstTheStay) {
  clv::TransactionBatch b;
  night(b, 0, 10, 100.0, 0);  // 0
  night(b, 0, 11, 100.0, 0);  // 1 merged into 0
  // The refund of night 1 ("<id of row 1>-R"): the host implies reference 1.
  b.add(0, 13 * kDay, TransactionKind::kReturn, 30.0, 1, -1, 0, false);  // 2
  plugin("hospitality").normalize_transactions(b);
  EXPECT_TRUE(has(b, 1, flag::kDrop | flag::kMerged));
  EXPECT_TRUE(has(b, 2, flag::kDrop | flag::kNetted));
  EXPECT_EQ(b.merged_into[2], 0);
  EXPECT_DOUBLE_EQ(b.amount[0], 170.0);
}

TEST(HospitalityPlugin, MapsAgenciesAndCompanies) {
  clv::TransactionBatch b;
  b.payer_labels = {"Expedia", "ACME Corporate", "Guest"};
  for (int32_t i = 0; i < 3; ++i) b.add(i, 0, TransactionKind::kPurchase, 1.0, -1, i);
  plugin("hospitality").normalize_transactions(b);
  using P = clv::PayerClass;
  EXPECT_EQ(b.payer_class,
            (std::vector<int32_t>{int32_t(P::kAgency), int32_t(P::kEmployer), int32_t(P::kSelf)}));
}

TEST(HospitalityPlugin, ComplaintsFixedDuringTheStayAreTrackedAndSlasAreTight) {
  auto b = incidents_with({"Noise", "Cleanliness"});
  b.add(0, 0, 30 * 60, 3, 0, IncidentOutcome::kResolved, 0.8, 2);  // fixed in 30 min
  b.add(1, 0, 30 * kHour, 3, 1, IncidentOutcome::kResolved, 0.4);  // fixed after check-out
  const auto c = plugin("hospitality").incident_covariates(b);
  EXPECT_DOUBLE_EQ(c.at(0, c.column("not_resolved_in_stay")), 0.0);
  EXPECT_DOUBLE_EQ(c.at(1, c.column("not_resolved_in_stay")), 1.0);
  EXPECT_DOUBLE_EQ(c.at(0, c.column("sla_overrun")), 0.0);
  EXPECT_DOUBLE_EQ(c.at(1, c.column("sla_overrun")), 10.0);  // 14 SLAs late, capped
  EXPECT_DOUBLE_EQ(c.at(1, c.column("weighted_severity")), 1.2 * 1.5);
  // trust .10 + conformity .05 of a (1,0,0,1,0,0) handler
  EXPECT_NEAR(c.at(0, c.column("handler_risk")), 1.0 - 0.15, 1e-12);
  const auto& levers = plugin("hospitality").levers();
  ASSERT_FALSE(levers.empty());
  EXPECT_EQ(levers[0].id, "resolve_during_stay");
  EXPECT_EQ(levers[0].effects[0].target, "covariate:not_resolved_in_stay");
  EXPECT_DOUBLE_EQ(levers[0].parameters[0].default_value, 0.8);
}

// ------------------------------------------------------------- healthcare

TEST(HealthcarePlugin, DeniedClaimsKeepTheVisitAndCancelledAppointmentsAreNoVisits) {
  clv::TransactionBatch b;
  b.add(0, 0, TransactionKind::kPurchase, 120.0, 11);             // 0 consultation
  b.add(0, 0, TransactionKind::kCharge, 80.0, 11);                // 1 lab work, same visit
  b.add(0, 9 * kDay, TransactionKind::kReturn, 200.0, 11);        // 2 claim denied in full
  b.add(0, 30 * kDay, TransactionKind::kCancellation, 25.0, 12);  // 3 no-show fee
  b.add(0, 31 * kDay, TransactionKind::kPurchase, 90.0, 13);      // 4 visit
  b.add(0, 40 * kDay, TransactionKind::kReturn, 30.0, 13);        // 5 partial reversal
  const auto report = plugin("healthcare").normalize_transactions(b);
  EXPECT_FALSE(has(b, 0, flag::kDrop));
  EXPECT_TRUE(has(b, 0, flag::kFlagged));
  EXPECT_DOUBLE_EQ(b.amount[0], 0.0);
  EXPECT_TRUE(has(b, 1, flag::kDrop | flag::kMerged));
  EXPECT_TRUE(has(b, 3, flag::kDrop | flag::kCancelled | flag::kFlagged));
  EXPECT_DOUBLE_EQ(b.amount[4], 60.0);
  EXPECT_EQ(report.kept, 2u);
}

TEST(HealthcarePlugin, MapsPublicAndPrivatePayers) {
  clv::TransactionBatch b;
  b.payer_labels = {"Self-pay", "Medicare Part B", "Blue Cross PPO", "Employer health plan",
                    "Occupational health"};
  for (int32_t i = 0; i < 5; ++i) b.add(i, 0, TransactionKind::kPurchase, 1.0, -1, i);
  plugin("healthcare").normalize_transactions(b);
  using P = clv::PayerClass;
  EXPECT_EQ(b.payer_class,
            (std::vector<int32_t>{int32_t(P::kSelf), int32_t(P::kGovernment), int32_t(P::kInsurer),
                                  int32_t(P::kInsurer), int32_t(P::kEmployer)}));
}

TEST(HealthcarePlugin, SeriousClinicalEventsAreAPatientSafetyCovariate) {
  auto b = incidents_with({"Medication error", "Billing"});
  b.add(0, 0, 6 * kHour, 3, 0, IncidentOutcome::kResolved, 0.7);
  b.add(1, 0, 6 * kHour, 5, 1, IncidentOutcome::kResolved, 0.7);
  b.add(2, 0, 6 * kHour, 2, 0, IncidentOutcome::kResolved, 0.7);
  const auto c = plugin("healthcare").incident_covariates(b);
  EXPECT_DOUBLE_EQ(c.at(0, c.column("patient_safety")), 1.0);
  EXPECT_DOUBLE_EQ(c.at(1, c.column("patient_safety")), 0.0);
  EXPECT_DOUBLE_EQ(c.at(2, c.column("patient_safety")), 0.0);
  EXPECT_DOUBLE_EQ(c.at(0, c.column("weighted_severity")), 1.5 * 2.0);
  EXPECT_DOUBLE_EQ(c.at(1, c.column("weighted_severity")), 5.0 * 0.8);
}

// ----------------------------------------------------------------- travel

TEST(TravelPlugin, BookingsAreTripsAndCancellationsCancelTheirBooking) {
  clv::TransactionBatch b;
  b.add(0, 0, TransactionKind::kPurchase, 300.0, 500);           // 0 flight
  b.add(0, 0, TransactionKind::kCharge, 200.0, 500);             // 1 hotel, same booking
  b.add(0, 5 * kDay, TransactionKind::kCancellation, 0.0, 500);  // 2 cancels booking 500
  b.add(0, 20 * kDay, TransactionKind::kPurchase, 400.0, 600);   // 3
  b.add(0, 21 * kDay, TransactionKind::kReturn, 390.0, 600);     // 4 97.5% refunded
  b.add(0, 40 * kDay, TransactionKind::kPurchase, 400.0, 700);   // 5
  b.add(0, 41 * kDay, TransactionKind::kReturn, 100.0, 700);     // 6 partial refund
  const auto report = plugin("travel").normalize_transactions(b);
  EXPECT_TRUE(has(b, 0, flag::kDrop | flag::kCancelled));
  EXPECT_TRUE(has(b, 1, flag::kDrop | flag::kMerged));
  EXPECT_TRUE(has(b, 2, flag::kDrop | flag::kCancelled));
  EXPECT_EQ(b.merged_into[2], 0);
  EXPECT_TRUE(has(b, 3, flag::kDrop | flag::kCancelled));
  EXPECT_FALSE(has(b, 5, flag::kDrop));
  EXPECT_DOUBLE_EQ(b.amount[5], 300.0);
  EXPECT_EQ(report.kept, 1u);
}

TEST(TravelPlugin, DisruptionsScaleWithSeverity) {
  auto b = incidents_with({"Flight delay", "Seat assignment"});
  b.add(0, 0, 2 * kHour, 5, 0, IncidentOutcome::kResolved, 0.5);
  b.add(0, 0, 2 * kHour, 5, 1, IncidentOutcome::kResolved, 0.5);
  const auto c = plugin("travel").incident_covariates(b);
  EXPECT_DOUBLE_EQ(c.at(0, c.column("disruption")), 1.0);
  EXPECT_DOUBLE_EQ(c.at(1, c.column("disruption")), 0.0);
}

// -------------------------------------------------------------- financial

TEST(FinancialPlugin, PostingsFoldIntoMonthlyPeriodsAndClosuresAreKept) {
  const int64_t jan31 = 1706659200;  // 2024-01-31T00:00:00Z
  clv::TransactionBatch b;
  b.add(0, jan31 - 20 * kDay, TransactionKind::kPurchase, 5.0, 1);   // 0 Jan fee
  b.add(0, jan31, TransactionKind::kPurchase, 7.0, 2);               // 1 Jan interest
  b.add(0, jan31 + kDay, TransactionKind::kPurchase, 5.0, 3);        // 2 Feb 1 fee
  b.add(0, jan31 + 2 * kDay, TransactionKind::kReturn, 5.0, 3);      // 3 reversal of the Feb fee
  b.add(0, jan31 + 40 * kDay, TransactionKind::kCancellation, 0.0);  // 4 account closed
  const auto report = plugin("financial").normalize_transactions(b);
  EXPECT_DOUBLE_EQ(b.amount[0], 12.0);
  EXPECT_TRUE(has(b, 1, flag::kDrop | flag::kMerged));
  EXPECT_EQ(b.merged_into[1], 0);
  EXPECT_FALSE(has(b, 2, flag::kDrop));  // February is its own period, still active
  EXPECT_DOUBLE_EQ(b.amount[2], 0.0);
  EXPECT_TRUE(has(b, 3, flag::kDrop | flag::kNetted));
  EXPECT_TRUE(has(b, 4, flag::kCancelled));
  EXPECT_FALSE(has(b, 4, flag::kDrop));  // the churn event the contractual model needs
  EXPECT_EQ(report.kept, 3u);
}

TEST(FinancialPlugin, UnresolvedFraudIsARegulatoryCovariateAndTrustDominatesHandlers) {
  auto b = incidents_with({"Card fraud", "App login"});
  b.add(0, 0, -1, 4, 0, IncidentOutcome::kEscalated, kNaN, 2);
  b.add(0, 0, kHour, 4, 0, IncidentOutcome::kResolved, 0.9, 2);
  b.add(0, 0, -1, 4, 1, IncidentOutcome::kUnresolved, kNaN);
  const auto c = plugin("financial").incident_covariates(b);
  EXPECT_DOUBLE_EQ(c.at(0, c.column("regulatory_breach")), 1.0);
  EXPECT_DOUBLE_EQ(c.at(1, c.column("regulatory_breach")), 0.0);
  EXPECT_DOUBLE_EQ(c.at(2, c.column("regulatory_breach")), 0.0);
  EXPECT_NEAR(c.at(0, c.column("handler_risk")), 1.0 - 0.65, 1e-12);  // trust .35 + conformity .30
  EXPECT_DOUBLE_EQ(c.at(0, c.column("dissatisfaction")), 0.6);        // escalated prior
}

// ------------------------------------------------------- sectors disagree

TEST(SectorPlugins, TheSameRecordsAreNormalizedDifferentlyPerSector) {
  // A purchase refunded in full, plus a cancellation with a fee.
  std::map<std::string, std::size_t> kept;
  for (const auto& p : registry().plugins()) {
    clv::TransactionBatch b;
    b.add(0, 0, TransactionKind::kPurchase, 100.0, 1);
    b.add(0, kDay, TransactionKind::kReturn, 100.0, 1);
    b.add(0, 2 * kDay, TransactionKind::kCancellation, 20.0, 2);
    kept[p.id()] = p.normalize_transactions(b).kept;
  }
  EXPECT_EQ(kept["retail"], 0u);       // fully returned order is no purchase
  EXPECT_EQ(kept["hospitality"], 2u);  // the stay happened; the fee is revenue
  EXPECT_EQ(kept["healthcare"], 1u);   // the visit happened; no-show is no visit
  EXPECT_EQ(kept["travel"], 0u);       // refunded trip and cancellation: no trip
  EXPECT_EQ(kept["financial"], 2u);    // active period plus the closure event
}

}  // namespace

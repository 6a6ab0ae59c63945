#include "synth/sector_profile.hpp"

#include <array>

namespace clv::synth {
namespace {

constexpr std::array<Region, 4> kEuUsRegions{{{"north-eu", "EUR", 0.3},
                                              {"south-eu", "EUR", 0.2},
                                              {"us-east", "USD", 0.3},
                                              {"us-west", "USD", 0.2}}};

// Retail: a store chain with a web shop; returns are common in apparel.
constexpr std::array<Weighted, 3> kRetailSegments{
    {{"value", 0.5}, {"regular", 0.35}, {"premium", 0.15}}};
constexpr std::array<Location, 8> kRetailLocations{{{"store-berlin", 0},
                                                    {"store-hamburg", 0},
                                                    {"store-madrid", 1},
                                                    {"store-milan", 1},
                                                    {"store-new-york", 2},
                                                    {"store-boston", 2},
                                                    {"store-san-francisco", 3},
                                                    {"store-seattle", 3}}};
constexpr std::array<Weighted, 3> kRetailRoles{
    {{"sales associate", 0.6}, {"customer service", 0.3}, {"store manager", 0.1}}};
constexpr std::array<ProductCategory, 5> kRetailCategories{{{"apparel", 0.35, 1.0, 2.0},
                                                            {"electronics", 0.15, 1.6, 1.0},
                                                            {"home", 0.2, 1.0, 0.6},
                                                            {"beauty", 0.15, 0.6, 0.4},
                                                            {"grocery", 0.15, 0.5, 0.1}}};
constexpr std::array<Weighted, 2> kRetailChannels{{{"online", 0.45}, {"store", 0.55}}};
constexpr std::array<IncidentKind, 5> kRetailIncidents{{{"late delivery", 0.3, 2},
                                                        {"damaged item", 0.25, 3},
                                                        {"wrong item", 0.2, 2},
                                                        {"billing", 0.15, 3},
                                                        {"staff conduct", 0.1, 4}}};
constexpr std::array<Weighted, 4> kRetailIncidentChannels{
    {{"phone", 0.3}, {"email", 0.3}, {"chat", 0.25}, {"in person", 0.15}}};

// Hospitality: hotel properties; a stay is a folio of several lines.
constexpr std::array<Weighted, 3> kHotelSegments{
    {{"leisure", 0.55}, {"business", 0.35}, {"loyalty elite", 0.1}}};
constexpr std::array<Location, 6> kHotelLocations{{{"hotel-lisbon", 1},
                                                   {"hotel-vienna", 0},
                                                   {"hotel-rome", 1},
                                                   {"hotel-chicago", 2},
                                                   {"hotel-miami", 2},
                                                   {"hotel-denver", 3}}};
constexpr std::array<Weighted, 4> kHotelRoles{
    {{"front desk", 0.45}, {"housekeeping", 0.3}, {"concierge", 0.15}, {"duty manager", 0.1}}};
// Folio lines; weights here are the share of the stay value (see stay lines).
constexpr std::array<ProductCategory, 4> kHotelCategories{{{"room", 1.0, 1.0, 0},
                                                           {"restaurant", 0.35, 1.0, 0},
                                                           {"spa", 0.6, 1.0, 0},
                                                           {"minibar", 0.1, 1.0, 0}}};
constexpr std::array<Weighted, 3> kHotelChannels{
    {{"direct", 0.4}, {"ota", 0.45}, {"corporate", 0.15}}};
// SLAs as the hospitality plugin sets them (plugins/hospitality/README.md):
// in-stay problems within hours, billing within days, others 8 h.
constexpr std::array<IncidentKind, 5> kHotelIncidents{{{"noise", 0.3, 2, 1.0},
                                                       {"cleanliness", 0.25, 3, 2.0},
                                                       {"billing", 0.2, 3, 72.0},
                                                       {"check-in delay", 0.2, 2, 8.0},
                                                       {"maintenance", 0.05, 3, 8.0}}};
constexpr std::array<Weighted, 4> kHotelIncidentChannels{
    {{"front desk", 0.5}, {"phone", 0.2}, {"email", 0.2}, {"app", 0.1}}};

// Healthcare: outpatient clinics; channel is the payer type.
constexpr std::array<Weighted, 3> kHealthSegments{
    {{"chronic care", 0.3}, {"episodic", 0.55}, {"preventive", 0.15}}};
constexpr std::array<Location, 6> kHealthLocations{{{"clinic-downtown", 2},
                                                    {"clinic-riverside", 2},
                                                    {"clinic-northgate", 0},
                                                    {"clinic-harbour", 1},
                                                    {"clinic-uptown", 3},
                                                    {"clinic-lakeside", 3}}};
constexpr std::array<Weighted, 4> kHealthRoles{
    {{"nurse", 0.4}, {"physician", 0.25}, {"receptionist", 0.25}, {"billing officer", 0.1}}};
constexpr std::array<ProductCategory, 5> kHealthCategories{{{"primary care", 0.4, 1.0, 0},
                                                            {"imaging", 0.15, 1.3, 0},
                                                            {"physiotherapy", 0.2, 0.8, 0},
                                                            {"dental", 0.15, 0.9, 0},
                                                            {"cardiology", 0.1, 1.4, 0}}};
constexpr std::array<Weighted, 3> kHealthChannels{
    {{"insurer", 0.6}, {"government", 0.25}, {"self-pay", 0.15}}};
constexpr std::array<IncidentKind, 4> kHealthIncidents{{{"wait time", 0.4, 2},
                                                        {"billing dispute", 0.25, 3},
                                                        {"clinical communication", 0.25, 4},
                                                        {"scheduling", 0.1, 2}}};
constexpr std::array<Weighted, 4> kHealthIncidentChannels{
    {{"phone", 0.35}, {"in person", 0.35}, {"portal", 0.2}, {"letter", 0.1}}};

// Travel: an agency selling flights, hotels and packages, with cancellations.
constexpr std::array<Weighted, 3> kTravelSegments{
    {{"leisure", 0.6}, {"business", 0.3}, {"group", 0.1}}};
constexpr std::array<Location, 6> kTravelLocations{{{"office-frankfurt", 0},
                                                    {"office-stockholm", 0},
                                                    {"office-barcelona", 1},
                                                    {"office-atlanta", 2},
                                                    {"office-new-york", 2},
                                                    {"office-los-angeles", 3}}};
constexpr std::array<Weighted, 3> kTravelRoles{
    {{"travel agent", 0.5}, {"customer care", 0.35}, {"ground staff liaison", 0.15}}};
constexpr std::array<ProductCategory, 3> kTravelCategories{
    {{"flight", 0.5, 1.2, 1.0}, {"hotel", 0.25, 0.6, 1.2}, {"package", 0.25, 1.0, 0.8}}};
constexpr std::array<Weighted, 3> kTravelChannels{
    {{"online", 0.6}, {"agency", 0.25}, {"phone", 0.15}}};
constexpr std::array<IncidentKind, 4> kTravelIncidents{{{"delay", 0.45, 2},
                                                        {"lost baggage", 0.2, 3},
                                                        {"rebooking", 0.25, 2},
                                                        {"overbooking", 0.1, 4}}};
constexpr std::array<Weighted, 3> kTravelIncidentChannels{
    {{"phone", 0.4}, {"email", 0.3}, {"chat", 0.3}}};

// Financial: accounts with monthly fees (the category is the product).
constexpr std::array<Weighted, 3> kBankSegments{
    {{"mass market", 0.6}, {"affluent", 0.3}, {"small business", 0.1}}};
constexpr std::array<Location, 6> kBankLocations{{{"branch-munich", 0},
                                                  {"branch-paris", 0},
                                                  {"branch-valencia", 1},
                                                  {"branch-philadelphia", 2},
                                                  {"branch-charlotte", 2},
                                                  {"branch-portland", 3}}};
constexpr std::array<Weighted, 3> kBankRoles{
    {{"advisor", 0.45}, {"teller", 0.3}, {"contact center", 0.25}}};
// weight = share of customers holding it as their main account.
constexpr std::array<ProductCategory, 3> kBankCategories{
    {{"card", 0.5, 1.3, 0}, {"loan", 0.2, 0.8, 0}, {"savings", 0.3, 0.6, 0}}};
constexpr std::array<Weighted, 2> kBankChannels{{{"app", 0.6}, {"branch", 0.4}}};
constexpr std::array<IncidentKind, 4> kBankIncidents{{{"fraud alert", 0.3, 4},
                                                      {"dispute", 0.3, 3},
                                                      {"fee complaint", 0.3, 2},
                                                      {"app outage", 0.1, 2}}};
constexpr std::array<Weighted, 4> kBankIncidentChannels{
    {{"app", 0.35}, {"phone", 0.35}, {"branch", 0.2}, {"email", 0.1}}};

const SectorProfile kProfiles[] = {
    {kRetailSegments, kEuUsRegions, kRetailLocations, kRetailRoles, kRetailCategories,
     kRetailChannels, kRetailIncidents, kRetailIncidentChannels, 0.05, 5.0},
    {kHotelSegments, kEuUsRegions, kHotelLocations, kHotelRoles, kHotelCategories, kHotelChannels,
     kHotelIncidents, kHotelIncidentChannels, 0.12, 40.0},
    {kHealthSegments, kEuUsRegions, kHealthLocations, kHealthRoles, kHealthCategories,
     kHealthChannels, kHealthIncidents, kHealthIncidentChannels, 0.08, 15.0},
    {kTravelSegments, kEuUsRegions, kTravelLocations, kTravelRoles, kTravelCategories,
     kTravelChannels, kTravelIncidents, kTravelIncidentChannels, 0.10, 50.0},
    {kBankSegments, kEuUsRegions, kBankLocations, kBankRoles, kBankCategories, kBankChannels,
     kBankIncidents, kBankIncidentChannels, 0.012, 10.0},
};

}  // namespace

const SectorProfile& sector_profile(Sector sector) {
  return kProfiles[static_cast<int>(sector)];
}

}  // namespace clv::synth

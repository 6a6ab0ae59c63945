// The request forms every front end shares: churn_fit_request_from_json (POST
// /v1/churn/fit, clv_churn_fit_json) and the service request from JSON (C API)
// and from query text (GET /v1/service): defaults, and refusals that name
// the field.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "clv/calendar.hpp"
#include "clv/churn_run.hpp"
#include "clv/error.hpp"
#include "clv/service_run.hpp"

namespace {

// The message of the invalid_argument `f` throws, or "" when it does not.
template <typename F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const clv::Error& e) {
    EXPECT_EQ(e.code(), clv::ErrorCode::kInvalidArgument) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted";
  return "";
}

TEST(ChurnFitRequest, DefaultsAndEveryField) {
  clv::ChurnFitRequest r = clv::churn_fit_request_from_json(R"({"horizon": 26})");
  EXPECT_EQ(r.horizon, 26);
  EXPECT_TRUE(r.covariates.empty());
  EXPECT_FALSE(r.plain || r.snapshot);
  EXPECT_TRUE(r.store);
  EXPECT_EQ(r.run, 0);
  EXPECT_EQ(r.top, 20u);
  EXPECT_EQ(r.drivers, 3u);
  EXPECT_FALSE(r.calibration_end_day.has_value());
  EXPECT_FALSE(r.unit.has_value());
  EXPECT_TRUE(r.summary_path.empty() && r.plugin_dirs.empty());

  r = clv::churn_fit_request_from_json(
      R"({"horizon": 4.5, "covariates": ["unresolved", "empathy"], "run": 7, "snapshot": true,
          "calibration_end": "2026-06-30", "unit": "month", "top": 5, "drivers": 1,
          "store": false})");
  EXPECT_EQ(r.horizon, 4.5);
  EXPECT_EQ(r.covariates, "unresolved,empathy");
  EXPECT_EQ(r.run, 7);
  EXPECT_TRUE(r.snapshot);
  EXPECT_FALSE(r.store);
  int64_t seconds = 0;
  ASSERT_TRUE(clv::parse_timestamp("2026-06-30", seconds));
  EXPECT_EQ(r.calibration_end_day, clv::day_of(seconds));
  ASSERT_TRUE(r.unit.has_value());
  EXPECT_EQ(r.unit->name, "month");
  EXPECT_EQ(r.top, 5u);
  EXPECT_EQ(r.drivers, 1u);
  EXPECT_EQ(clv::churn_fit_request_from_json(R"({"horizon": 1, "covariates": "incidents,staff"})")
                .covariates,
            "incidents,staff");
}

TEST(ChurnFitRequest, RefusalsNameTheField) {
  const auto parse = [](const char* text) {
    return refusal([text] { clv::churn_fit_request_from_json(text); });
  };
  EXPECT_NE(parse("{}").find("\"horizon\" is required"), std::string::npos);
  for (const char* bad : {R"({"horizon": 0})", R"({"horizon": -2})", R"({"horizon": "26"})",
                          R"({"horizon": null})"}) {
    EXPECT_NE(parse(bad).find("\"horizon\""), std::string::npos) << bad;
  }
  EXPECT_NE(parse(R"({"horizon": 1e400})").find("out of range"), std::string::npos);
  EXPECT_NE(parse(R"({"horizon": 26, "summary": "/etc/passwd"})").find("\"summary\""),
            std::string::npos);
  EXPECT_NE(parse(R"({"horizon": 26, "covariates": [1]})").find("\"covariates\""),
            std::string::npos);
  EXPECT_NE(parse(R"({"horizon": 26, "covariates": [""]})").find("\"covariates\""),
            std::string::npos);
  EXPECT_NE(parse(R"({"horizon": 26, "run": -1})").find("\"run\""), std::string::npos);
  EXPECT_NE(parse(R"({"horizon": 26, "run": 1.5})").find("\"run\""), std::string::npos);
  EXPECT_NE(parse(R"({"horizon": 26, "top": 100001})").find("\"top\""), std::string::npos);
  EXPECT_NE(parse(R"({"horizon": 26, "drivers": 101})").find("\"drivers\""), std::string::npos);
  EXPECT_NE(parse(R"({"horizon": 26, "store": 1})").find("\"store\""), std::string::npos);
  EXPECT_NE(parse(R"({"horizon": 26, "calibration_end": "30/06/2026"})").find("calibration_end"),
            std::string::npos);
  EXPECT_NE(parse(R"({"horizon": 26, "unit": "fortnight"})").find("\"unit\""), std::string::npos);
  EXPECT_NE(parse("[26]").find("JSON object"), std::string::npos);
  EXPECT_NE(parse("{\"horizon\": ").find("invalid JSON"), std::string::npos);
}

TEST(ChurnFitRequest, RunChurnRefusesBadRequestsBeforeTouchingTheDatabase) {
  clv::ChurnFitRequest r;
  r.horizon = NAN;
  EXPECT_NE(refusal([&] { clv::run_churn("/nonexistent/dir/clv.db", r); }).find("horizon"),
            std::string::npos);
  r.horizon = 26;
  r.plain = true;
  r.covariates = "incidents";
  EXPECT_NE(refusal([&] { clv::run_churn("/nonexistent/dir/clv.db", r); }).find("exclude"),
            std::string::npos);
}

TEST(ServiceRequest, FromJsonAndFromQueryText) {
  clv::ServiceReportRequest r = clv::service_request_from_json(R"({"horizon": 26})");
  EXPECT_EQ(r.key, clv::ServiceKey::kLocation);
  EXPECT_EQ(r.run, 0);
  EXPECT_EQ(r.horizon, 26);
  r = clv::service_request_from_json(R"({"by": "employee", "run": 3, "horizon": 13})");
  EXPECT_EQ(r.key, clv::ServiceKey::kEmployee);
  EXPECT_EQ(r.run, 3);
  r = clv::service_request_from_json(
      R"({"horizon": 13, "word_of_mouth": {"conversion": 0.05, "told_unhappy": 15,
          "value_per_prospect": 40}})");
  EXPECT_EQ(r.word_of_mouth.conversion, 0.05);
  EXPECT_EQ(r.word_of_mouth.told_unhappy, 15);
  EXPECT_EQ(r.word_of_mouth.told_satisfied_low, 9);  // the literature's default
  EXPECT_EQ(r.word_of_mouth.value_per_prospect, 40);
  EXPECT_NE(refusal([] {
              clv::service_request_from_json(R"({"horizon": 13, "word_of_mouth": {"people": 3}})");
            }).find("word_of_mouth.people"),
            std::string::npos);
  clv::ServiceReportRequest q;
  clv::word_of_mouth_from_text(q, [](const std::string& name) -> std::optional<std::string> {
    if (name == "wom_told_satisfied_high") return "11";
    return std::nullopt;
  });
  EXPECT_EQ(q.word_of_mouth.told_satisfied_high, 11);
  EXPECT_NE(refusal([] {
              clv::ServiceReportRequest bad;
              clv::word_of_mouth_from_text(
                  bad, [](const std::string& name) -> std::optional<std::string> {
                    if (name == "wom_conversion") return "lots";
                    return std::nullopt;
                  });
            }).find("wom_conversion"),
            std::string::npos);
  r = clv::service_request_from_text("region", "12", "52");
  EXPECT_EQ(r.key, clv::ServiceKey::kRegion);
  EXPECT_EQ(r.run, 12);
  EXPECT_EQ(r.horizon, 52);
  r = clv::service_request_from_text("", "", "2.5");
  EXPECT_EQ(r.key, clv::ServiceKey::kLocation);
  EXPECT_EQ(r.horizon, 2.5);

  const auto json = [](const char* text) {
    return refusal([text] { clv::service_request_from_json(text); });
  };
  EXPECT_NE(json(R"({"by": "planet", "horizon": 26})").find("\"by\""), std::string::npos);
  EXPECT_NE(json(R"({"by": 1, "horizon": 26})").find("\"by\""), std::string::npos);
  EXPECT_NE(json(R"({"by": "location"})").find("\"horizon\" is required"), std::string::npos);
  EXPECT_NE(json(R"({"horizon": 26, "run": "x"})").find("\"run\""), std::string::npos);
  EXPECT_NE(json(R"({"horizon": 26, "top": 3})").find("\"top\""), std::string::npos);
  const auto text = [](const char* by, const char* run, const char* horizon) {
    return refusal([=] { clv::service_request_from_text(by, run, horizon); });
  };
  EXPECT_NE(text("planet", "", "26").find("planet"), std::string::npos);
  EXPECT_NE(text("", "", "").find("\"horizon\" is required"), std::string::npos);
  EXPECT_NE(text("", "", "26 weeks").find("\"horizon\""), std::string::npos);
  EXPECT_NE(text("", "", "inf").find("\"horizon\""), std::string::npos);
  EXPECT_NE(text("", "", "-1").find("\"horizon\""), std::string::npos);
  EXPECT_NE(text("", "-3", "26").find("\"run\""), std::string::npos);
  EXPECT_NE(text("", "1x", "26").find("\"run\""), std::string::npos);
}

}  // namespace

// Issue 13 item 1: JSON and TOML nested 100,000 deep crashed `clv whatif`
// and `clv serve` (stack overflow). Depth is refused on the text first.
#include <string>

#include <gtest/gtest.h>

#include "clv/error.hpp"
#include "domain/nesting_limits.hpp"

namespace clv {
namespace {

std::string nested(int depth) {
  return "{\"scenario\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

TEST(NestingLimits, JsonDepthIsCountedOutsideStrings) {
  EXPECT_EQ(json_depth_exceeded_at(nested(63)), std::string_view::npos);  // 64 with the object
  EXPECT_EQ(json_depth_exceeded_at(nested(64)), 75u);  // depth 65: the 64th bracket, byte 11 + 64
  EXPECT_EQ(json_depth_exceeded_at("{\"a\":\"[[[[[[[[\\\"[[[[\"}", 2), std::string_view::npos);
  EXPECT_EQ(json_depth_exceeded_at("[[[]]]", 2), 2u);
}

TEST(NestingLimits, HundredThousandDeepJsonIsAClearError) {
  const std::string deep = nested(100000);
  try {
    parse_json_limited(deep, "deep.json");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(std::string(e.what()), "deep.json: JSON nests deeper than 64 levels (at byte 75)");
  }
  EXPECT_EQ(parse_json_limited("{\"a\":[1,[2]]}", "ok.json")["a"][1][0], 2);
  EXPECT_THROW(parse_json_limited("{\"a\":", "bad.json"), Error);
}

TEST(NestingLimits, TomlDottedKeysHeadersAndArrays) {
  std::string header = "[a";
  for (int i = 0; i < 100000; ++i) header += ".a";
  header += "]\nx = 1\n";
  EXPECT_EQ(toml_depth_exceeded_line("# comment\n" + header), 2u);
  std::string dotted = "x = 1\na";
  for (int i = 0; i < 70; ++i) dotted += ".b";
  dotted += " = 1\n";
  EXPECT_EQ(toml_depth_exceeded_line(dotted), 2u);
  EXPECT_EQ(toml_depth_exceeded_line("x = " + std::string(65, '[') + std::string(65, ']')), 1u);
  std::string inline_keys = "t = { a";
  for (int i = 0; i < 70; ++i) inline_keys += ".b";
  inline_keys += " = 1 }\n";
  EXPECT_EQ(toml_depth_exceeded_line(inline_keys), 1u);
  // Dots in values, strings and comments are not key parts.
  const std::string fine =
      "[run]\nsummary = \"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h."
      "i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l\"\n"
      "x = [1.5, 2.5, 3.5]\n# a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h."
      "i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l\n"
      "[[scenario]]\nname = '''multi\n[a.b]\nline'''\n";
  EXPECT_EQ(toml_depth_exceeded_line(fine, 8), 0u);
  EXPECT_THROW(check_toml_depth(header, "deep.toml"), Error);
}

}  // namespace
}  // namespace clv

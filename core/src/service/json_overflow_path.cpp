#include "service/json_overflow_path.hpp"

#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "domain/json_nesting.hpp"

namespace clv {

namespace {

using nlohmann::json;

// Tracks where the parser is; stops at the first number out of range.
class PathSax : public nlohmann::json_sax<json> {
 public:
  std::string found;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t v, const string_t&) override {
    if (!std::isfinite(v)) {
      found = path();
      return false;
    }
    return value();
  }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(size_t) override { return open(false); }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(size_t, const std::string& token,
                   const nlohmann::detail::exception& e) override {
    // nlohmann reports a double overflow (out_of_range.406) here, before the value.
    if (e.id == 406) found = path();
    (void)token;
    return false;
  }

 private:
  struct Frame {
    bool array = false;
    size_t index = 0;
    std::string key;
  };
  std::vector<Frame> frames_;

  std::string path() const {
    std::string out;
    for (const Frame& f : frames_) {
      if (f.array) {
        out += fmt::format("[{}]", f.index);
      } else {
        if (!out.empty()) out += '.';
        out += f.key;
      }
    }
    return out;
  }
  bool value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    return true;
  }
  bool open(bool array) {
    if (frames_.size() >= kMaxJsonNesting) return false;
    frames_.push_back({array, 0, {}});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return value();
  }
};

}  // namespace

std::string json_path_of_overflow(std::string_view text) {
  PathSax sax;
  json::sax_parse(text, &sax, json::input_format_t::json, false);
  return sax.found;
}

}  // namespace clv

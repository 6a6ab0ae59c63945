// Content fingerprint of an imported file, so that re-importing the same
// bytes (under any name) is recognised. SHA-1 from Boost (header-only,
// already a dependency): collision-resistant enough for spotting repeated
// uploads, which is not a security boundary.
#pragma once

#include <string>
#include <string_view>

namespace clv {

class ContentHasher {
 public:
  ContentHasher();
  ~ContentHasher();
  void update(std::string_view bytes);
  std::string hex_digest();  // 40 lower-case hex digits

 private:
  struct State;
  State* state_;
};

std::string hash_file(const std::string& path);  // throws clv::Error on read errors
std::string hash_text(std::string_view text);

}  // namespace clv

// Shared by the browser tests: run headless Chromium (Debian's chromium
// package) offline on a file, and pick charts out of the DOM it dumps.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace clv::testing::browser {

namespace fs = std::filesystem;

inline constexpr const char* kChromium = "/usr/bin/chromium";

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs headless Chromium with the flags that keep it offline and quiet;
// returns its exit status. `timeout` guards against a hung browser.
inline int run_chromium(const fs::path& profile, const std::string& extra_args,
                        const fs::path& stdout_to, const fs::path& stderr_to) {
  const std::string command =
      "timeout 120 " + std::string(kChromium) +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --disable-dev-shm-usage --hide-scrollbars --user-data-dir=" +
      shell_quote(profile.string()) + " " + extra_args + " > " + shell_quote(stdout_to.string()) +
      " 2> " + shell_quote(stderr_to.string());
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The opening tag and content of the <svg> element with the given id.
struct SvgElement {
  std::string open_tag;
  std::string content;
};

inline bool find_svg(const std::string& dom, const std::string& id, SvgElement& out) {
  const size_t id_pos = dom.find("id=\"" + id + "\"");
  if (id_pos == std::string::npos) return false;
  const size_t start = dom.rfind("<svg", id_pos);
  const size_t tag_end = dom.find('>', id_pos);
  const size_t end = dom.find("</svg>", id_pos);
  if (start == std::string::npos || tag_end == std::string::npos || end == std::string::npos) {
    return false;
  }
  out.open_tag = dom.substr(start, tag_end - start + 1);
  out.content = dom.substr(tag_end + 1, end - tag_end - 1);
  return true;
}

inline size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

}  // namespace clv::testing::browser

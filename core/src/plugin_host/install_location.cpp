#include "plugin_host/install_location.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

// Set by core/CMakeLists.txt; the fallbacks keep the file compilable alone.
#ifndef CLV_INSTALL_PLUGIN_DIR
#define CLV_INSTALL_PLUGIN_DIR "/usr/local/lib/clv/plugins"
#endif
#ifndef CLV_INSTALL_LIBDIR
#define CLV_INSTALL_LIBDIR "lib"
#endif
#ifndef CLV_BUILD_TREE_DIR
#define CLV_BUILD_TREE_DIR ""
#endif

namespace clv::plugin_host {
namespace {

namespace fs = std::filesystem;

fs::path canonical_or_empty(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::canonical(p, ec);
  return ec ? fs::path() : c;
}

// The file this code was loaded from: libclv.so, or the executable itself
// when the engine is linked statically.
fs::path this_module() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&installed_plugin_dirs), &info) == 0 ||
      info.dli_fname == nullptr) {
    return {};
  }
  return canonical_or_empty(info.dli_fname);
}

bool is_under(const fs::path& file, const fs::path& dir) {
  if (file.empty() || dir.empty()) return false;
  auto d = dir.begin();
  for (auto f = file.begin(); d != dir.end(); ++f, ++d) {
    if (f == file.end() || *f != *d) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> installed_plugin_dirs() {
  std::vector<std::string> dirs;
  const fs::path exe = canonical_or_empty("/proc/self/exe");
  const fs::path module = this_module();
  if (!exe.empty()) {
    const fs::path prefix = exe.parent_path().parent_path();
    dirs.push_back((prefix / CLV_INSTALL_LIBDIR / "clv" / "plugins").string());
    if (fs::path(CLV_INSTALL_LIBDIR) != "lib")
      dirs.push_back((prefix / "lib/clv/plugins").string());
  }
  if (!module.empty() && module != exe) {
    dirs.push_back((module.parent_path() / "clv" / "plugins").string());
  }
  // The build tree's plugins only for code running from that build tree and
  // not from an installed layout (an install into a folder of the build tree
  // must not see each plugin twice).
  const bool installed = std::any_of(dirs.begin(), dirs.end(), [](const std::string& d) {
    std::error_code ec;
    return fs::is_directory(d, ec);
  });
  const fs::path build_tree = canonical_or_empty(CLV_BUILD_TREE_DIR);
  if (!installed && (is_under(exe, build_tree) || is_under(module, build_tree))) {
    dirs.push_back((build_tree / "plugins").string());
  }
  dirs.push_back(CLV_INSTALL_PLUGIN_DIR);
  return dirs;
}

}  // namespace clv::plugin_host

// Where the engine's own plugins live, found from where the running code is,
// so that an installed tree or a build tree works wherever it was put and
// whatever the current directory (no CLV_PLUGIN_PATH needed).
#pragma once

#include <string>
#include <vector>

namespace clv::plugin_host {

// In search order, existing or not:
//   <dir of the executable>/../<libdir>/clv/plugins  (installed `clv` and programs
//                                                    installed next to it)
//   <dir of libclv.so>/clv/plugins                   (programs linking the
//                                                    installed libclv.so)
//   <build tree>/plugins                             (only for code running from
//                                                    the build tree it was built in,
//                                                    when neither directory above exists)
//   <configured prefix>/<libdir>/clv/plugins
std::vector<std::string> installed_plugin_dirs();

}  // namespace clv::plugin_host

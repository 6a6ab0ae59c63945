#include "clv/error.hpp"

namespace clv {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kCorruptData: return "corrupt_data";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kAbiMismatch: return "abi_mismatch";
    case ErrorCode::kPluginError: return "plugin_error";
    case ErrorCode::kNotConverged: return "not_converged";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace clv

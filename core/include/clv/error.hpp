// The one error type of the C++ API: a code callers can branch on and a
// message that says what went wrong and what to do about it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace clv {

enum class ErrorCode {
  kInvalidArgument,  // the caller passed something malformed
  kNotFound,         // a file, customer, run or plugin that does not exist
  kCorruptData,      // stored or imported data that breaks an invariant
  kIo,               // the operating system or SQLite failed
  kAbiMismatch,      // a plugin built for an incompatible ABI
  kPluginError,      // a plugin returned an error or threw
  kNotConverged,     // an optimizer stopped without meeting its tolerance
  kInternal,         // a bug in clv-engine itself
};

// Stable lower-case name of a code ("invalid_argument", ...), used in JSON
// errors and by the C API.
std::string_view error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

  ErrorCode code() const { return code_; }

  static Error invalid_argument(const std::string& m) { return {ErrorCode::kInvalidArgument, m}; }
  static Error not_found(const std::string& m) { return {ErrorCode::kNotFound, m}; }
  static Error corrupt_data(const std::string& m) { return {ErrorCode::kCorruptData, m}; }
  static Error io(const std::string& m) { return {ErrorCode::kIo, m}; }
  static Error abi_mismatch(const std::string& m) { return {ErrorCode::kAbiMismatch, m}; }
  static Error plugin_error(const std::string& m) { return {ErrorCode::kPluginError, m}; }
  static Error not_converged(const std::string& m) { return {ErrorCode::kNotConverged, m}; }
  static Error internal(const std::string& m) { return {ErrorCode::kInternal, m}; }

 private:
  ErrorCode code_;
};

}  // namespace clv

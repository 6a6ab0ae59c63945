#include "engine/engine_file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {

EngineFileLock EngineFileLock::acquire(const std::string& path) {
  EngineFileLock lock;
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return lock;
  const std::string lock_path = path + ".engine-lock";
  lock.fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock.fd_ < 0) {
    throw Error::io(
        fmt::format("cannot create the engine lock '{}': {}", lock_path, std::strerror(errno)));
  }
  if (::flock(lock.fd_, LOCK_EX | LOCK_NB) != 0) {
    throw Error::io(fmt::format(
        "database '{}' is already open in another clv engine (clv serve or an embedding "
        "process): one engine per database file",
        path));
  }
  return lock;
}

EngineFileLock& EngineFileLock::operator=(EngineFileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

EngineFileLock::~EngineFileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace clv

// One clv::Engine per database file. An engine keeps acknowledged rows in
// transactions_pending with a copy in memory and treats pending rows it did
// not write as left by an engine that died; a second live engine on the same
// file would merge (and then delete) the first one's rows. An advisory lock
// on a sidecar file (<db>.engine-lock; flock, released when the process ends
// however it ends) makes the second open fail instead. Other writers (clv
// import, clv churn) do not take it and need not.
#pragma once

#include <string>

namespace clv {

class EngineFileLock {
 public:
  EngineFileLock() = default;
  // Throws Error::io when another engine holds the database at `path`. No
  // lock for an in-memory database.
  static EngineFileLock acquire(const std::string& path);
  EngineFileLock(EngineFileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  EngineFileLock& operator=(EngineFileLock&& other) noexcept;
  EngineFileLock(const EngineFileLock&) = delete;
  EngineFileLock& operator=(const EngineFileLock&) = delete;
  ~EngineFileLock();

 private:
  int fd_ = -1;
};

}  // namespace clv

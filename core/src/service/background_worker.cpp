#include "service/background_worker.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace clv {

BackgroundWorker::BackgroundWorker(int nice) : thread_([this, nice] { loop(nice); }) {}

BackgroundWorker::~BackgroundWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_one();
  thread_.join();
}

void BackgroundWorker::loop(int nice) {
  if (nice != 0) {
    // PRIO_PROCESS with a thread id sets that thread's nice value only.
    const int tid = static_cast<int>(gettid());
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
    if (errno == 0 && setpriority(PRIO_PROCESS, static_cast<id_t>(tid), current + nice) != 0) {
      std::perror("clv serve: lowering the ingest thread's priority failed");
    }
  }
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();  // a packaged_task: exceptions go to the waiting caller
  }
}

}  // namespace clv

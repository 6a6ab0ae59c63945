// One thread that runs submitted jobs in order at a lower CPU priority. The
// service hands it every ingest: writes are serialized by the engine anyway,
// and when the cores are contended the request-path score calls (and the
// clients waiting on them) get the CPU first, so score latency holds while
// batches stream in; ingest still takes all otherwise idle CPU.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

namespace clv {

class BackgroundWorker {
 public:
  // `nice` is added to the thread's nice value (Linux: per thread); 0 = as is.
  explicit BackgroundWorker(int nice);
  ~BackgroundWorker();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  // Runs `job` on the worker and waits for it; its result or exception is
  // the caller's.
  template <typename Job>
  auto run(Job&& job) -> decltype(job()) {
    auto task = std::make_shared<std::packaged_task<decltype(job())()>>(std::forward<Job>(job));
    auto result = task->get_future();
    {
      std::lock_guard lock(mutex_);
      jobs_.emplace_back([task] { (*task)(); });
    }
    ready_.notify_one();
    return result.get();
  }

 private:
  void loop(int nice);

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace clv

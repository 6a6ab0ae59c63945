// Splits a row range across threads for likelihood evaluation. Each chunk
// writes its own partial sums (no sharing, no locks); the caller adds them in
// chunk order, so results are deterministic for a given thread count.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace clv {

// Rows below this stay on the calling thread: spawning costs ~20 us, more
// than evaluating a few thousand rows.
inline constexpr size_t kMinRowsPerThread = 20000;

// Number of chunks to use for `n_rows` with at most `threads` threads
// (0 = all hardware threads).
inline int row_chunks(size_t n_rows, int threads) {
  int hw =
      threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const size_t by_size = std::max<size_t>(1, n_rows / kMinRowsPerThread);
  return static_cast<int>(std::min<size_t>(static_cast<size_t>(hw), by_size));
}

// Calls fn(begin, end, chunk) for `chunks` contiguous ranges covering
// [0, n_rows), chunk 0 on the calling thread.
template <typename Fn>
void for_row_chunks(size_t n_rows, int chunks, Fn&& fn) {
  if (chunks <= 1) {
    fn(size_t{0}, n_rows, 0);
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(chunks - 1);
  const size_t per = (n_rows + chunks - 1) / chunks;
  for (int c = 1; c < chunks; ++c) {
    const size_t begin = std::min(n_rows, per * c), end = std::min(n_rows, per * (c + 1));
    workers.emplace_back([&fn, begin, end, c] { fn(begin, end, c); });
  }
  fn(size_t{0}, std::min(n_rows, per), 0);
  for (auto& w : workers) w.join();
}

}  // namespace clv

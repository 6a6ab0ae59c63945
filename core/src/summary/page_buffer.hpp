// Zero-filled memory taken straight from the OS with mmap and given back with
// munmap. The summary frees its per-customer state while it writes the
// output; malloc would keep those pages (its mmap threshold adapts upward
// after the first large free), doubling the peak resident memory.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace clv {

template <typename T>
class PageBuffer {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  PageBuffer() = default;
  explicit PageBuffer(size_t count) : count_(count) {
    if (count == 0) return;
    if (bytes() < kHugePage) {
      void* p = mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      data_ = static_cast<T*>(p);  // pages read as zero until written
      return;
    }
    // Large buffers are accessed at random (hash slots, customer state):
    // align them to 2 MiB and ask for transparent huge pages, which removes
    // most TLB misses.
    const size_t padded = bytes() + kHugePage;
    void* p = mmap(nullptr, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    const auto raw = reinterpret_cast<uintptr_t>(p);
    const uintptr_t aligned = (raw + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
    if (aligned > raw) munmap(p, aligned - raw);
    const uintptr_t end = raw + padded, used_end = aligned + bytes();
    if (end > used_end) munmap(reinterpret_cast<void*>(used_end), end - used_end);
    data_ = reinterpret_cast<T*>(aligned);
#ifdef MADV_HUGEPAGE
    madvise(data_, bytes(), MADV_HUGEPAGE);  // a hint: fine if refused
#endif
  }
  PageBuffer(PageBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  PageBuffer& operator=(PageBuffer&& other) noexcept {
    if (this != &other) {
      release();
      data_ = std::exchange(other.data_, nullptr);
      count_ = std::exchange(other.count_, 0);
    }
    return *this;
  }
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;
  ~PageBuffer() {
    release();
  }

  void release() {
    if (data_ != nullptr) munmap(data_, bytes());
    data_ = nullptr;
    count_ = 0;
  }
  T& operator[](size_t i) {
    return data_[i];
  }
  const T& operator[](size_t i) const {
    return data_[i];
  }
  size_t size() const {
    return count_;
  }

 private:
  static constexpr size_t kHugePage = size_t{2} << 20;
  size_t bytes() const {
    return count_ * sizeof(T);
  }
  T* data_ = nullptr;
  size_t count_ = 0;
};

}  // namespace clv

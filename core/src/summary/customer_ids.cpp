#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <new>

#include <fmt/format.h>

#include "clv/customer_summary.hpp"
#include "clv/error.hpp"

namespace clv {

// Blocks are 2 MiB-aligned anonymous mappings with a transparent-huge-page
// hint: ids are looked up at random, and 4 KiB pages would make most lookups
// a TLB miss as well as a cache miss.
char* CustomerIds::allocate_block() {
  const size_t padded = 2 * kBlockBytes;
  void* p = mmap(nullptr, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  const auto raw = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = (raw + kBlockBytes - 1) & ~(uintptr_t{kBlockBytes} - 1);
  if (aligned > raw) munmap(p, aligned - raw);
  const uintptr_t end = raw + padded, used_end = aligned + kBlockBytes;
  if (end > used_end) munmap(reinterpret_cast<void*>(used_end), end - used_end);
#ifdef MADV_HUGEPAGE
  madvise(reinterpret_cast<void*>(aligned), kBlockBytes, MADV_HUGEPAGE);
#endif
  return reinterpret_cast<char*>(aligned);
}

void CustomerIds::BlockDeleter::operator()(char* block) const {
  munmap(block, kBlockBytes);
}

std::string_view CustomerIds::operator[](size_t i) const {
  const uint32_t start = starts_[i];
  const char* p = blocks_[start >> kBlockShift].get() + (start & (kBlockBytes - 1));
  uint16_t length;
  std::memcpy(&length, p, sizeof length);
  return {p + sizeof length, length};
}

uint32_t CustomerIds::add(std::string_view id) {
  if (id.size() > kMaxIdBytes) {
    throw Error::invalid_argument(fmt::format(
        "customer id of {} bytes is longer than the {} allowed", id.size(), kMaxIdBytes));
  }
  const size_t needed = id.size() + sizeof(uint16_t);
  if (used_in_last_block_ + needed > kBlockBytes) {
    // An id never spans two blocks; the unused tail of a block is at most one id.
    if (blocks_.size() >= (size_t{1} << (32 - kBlockShift))) {
      throw Error::invalid_argument("more than 4 GiB of customer ids: split the input");
    }
    blocks_.emplace_back(allocate_block());
    used_in_last_block_ = 0;
  }
  const uint32_t start =
      static_cast<uint32_t>(((blocks_.size() - 1) << kBlockShift) + used_in_last_block_);
  char* p = blocks_.back().get() + used_in_last_block_;
  const uint16_t length = static_cast<uint16_t>(id.size());
  std::memcpy(p, &length, sizeof length);
  if (!id.empty()) std::memcpy(p + sizeof length, id.data(), id.size());
  used_in_last_block_ += needed;
  starts_.push_back(start);
  return static_cast<uint32_t>(starts_.size() - 1);
}

size_t CustomerIds::allocated_bytes() const {
  return blocks_.size() * kBlockBytes + starts_.capacity() * sizeof(uint32_t);
}

}  // namespace clv

#include <cstring>

#include <fmt/format.h>

#include "clv/customer_summary.hpp"
#include "clv/error.hpp"

namespace clv {

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
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlockBytes));
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

#include "models/rfm_rows.hpp"

#include <algorithm>
#include <barrier>
#include <bit>
#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "clv/error.hpp"

namespace clv {
namespace {

uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t key_hash(double x, double t_x, double T) {
  // + 0.0 folds -0 into 0 (they compare equal, so they must hash equal).
  return mix(std::bit_cast<uint64_t>(x + 0.0) * 0x9E3779B97F4A7C15ULL ^
             std::bit_cast<uint64_t>(t_x + 0.0) * 0xC2B2AE3D27D4EB4FULL ^
             std::bit_cast<uint64_t>(T + 0.0) * 0x165667B19E3779F9ULL);
}

bool valid_row(double x, double t_x, double T, double w) {
  return std::isfinite(x) && std::isfinite(t_x) && std::isfinite(T) && std::isfinite(w) && x >= 0 &&
         x == std::floor(x) && t_x >= 0 && T >= t_x && (x != 0 || t_x == 0) && w >= 0;
}

// One distinct summary: its values, summed weight and first customer index.
struct Entry {
  double x, t_x, T, weight;
  uint64_t first;
};

// Open addressing with linear probing over one partition's distinct rows:
// slot = row index + 1, 0 = empty; the load factor stays <= 1/2.
class KeyTable {
 public:
  void add(const Entry& e, uint64_t hash) {
    size_t s = hash & mask_;
    while (true) {
      const uint32_t slot = slots_[s];
      if (slot == 0) {
        keys_.push_back(e);
        slots_[s] = static_cast<uint32_t>(keys_.size());
        if (2 * keys_.size() > slots_.size()) grow();
        return;
      }
      Entry& k = keys_[slot - 1];
      if (k.x == e.x && k.t_x == e.t_x && k.T == e.T) {
        k.weight += e.weight;
        return;
      }
      s = (s + 1) & mask_;
    }
  }
  const std::vector<Entry>& keys() const { return keys_; }
  // Room for `keys` distinct rows without growing (slots at load <= 1/2).
  void reserve(size_t keys) {
    keys_.reserve(keys);
    size_t slots = 16;
    while (slots < 2 * keys + 2) slots *= 2;
    if (slots > slots_.size()) {
      slots_.assign(slots, 0);
      mask_ = slots - 1;
    }
  }

 private:
  void grow() {
    slots_.assign(slots_.size() * 4, 0);
    mask_ = slots_.size() - 1;
    for (size_t r = 0; r < keys_.size(); ++r) {
      size_t s = key_hash(keys_[r].x, keys_[r].t_x, keys_[r].T) & mask_;
      while (slots_[s] != 0) s = (s + 1) & mask_;
      slots_[s] = static_cast<uint32_t>(r + 1);
    }
  }
  std::vector<Entry> keys_;
  std::vector<uint32_t> slots_ = std::vector<uint32_t>(16, 0);
  size_t mask_ = 15;
};

// Customers are hashed into kPartitions partitions, a block at a time, and
// each partition's customers are then merged into that partition's table. A
// single table for the distinct rows of 10M customers is tens of MB and every
// lookup would miss the cache; a partition's table is a few KB and stays in
// L1/L2 while its customers of the block (about as many as it has keys, since
// the block is sized like the distinct rows) are merged.
constexpr int kPartitionBits = 8;
constexpr size_t kPartitions = size_t{1} << kPartitionBits;
constexpr size_t kBlock = size_t{1} << 20;
// Customers per thread below which a second thread does not pay for itself.
constexpr size_t kMinCustomersPerThread = size_t{1} << 18;

// Largest presized partition table (keys): 16384 slots, 64 KB.
constexpr size_t kMaxPresizedKeys = size_t{1} << 13;

size_t partition_of(uint64_t hash) {
  return static_cast<size_t>(hash >> (64 - kPartitionBits));
}

// Sorts (first index << 32 | row) by the first index, two 16-bit LSD passes.
void sort_by_first(std::vector<uint64_t>& v) {
  std::vector<uint64_t> tmp(v.size());
  for (int shift : {32, 48}) {
    std::vector<size_t> count((1 << 16) + 1, 0);
    for (uint64_t e : v) ++count[((e >> shift) & 0xFFFF) + 1];
    for (size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
    for (uint64_t e : v) tmp[count[(e >> shift) & 0xFFFF]++] = e;
    v.swap(tmp);
  }
}

}  // namespace

double RfmRows::total_weight() const {
  double total = 0.0;
  for (double w : weight) total += w;
  return total;
}

void validate_rfm(std::span<const double> x, std::span<const double> t_x, std::span<const double> T,
                  std::span<const double> weight) {
  if (x.size() != t_x.size() || x.size() != T.size() ||
      (!weight.empty() && weight.size() != x.size())) {
    throw Error::invalid_argument("x, t_x, T (and weights) must have the same length");
  }
  for (size_t i = 0; i < x.size(); ++i) {
    const double w = weight.empty() ? 1.0 : weight[i];
    const auto bad = [&](const char* what) {
      return Error::invalid_argument(fmt::format(
          "customer row {} (x={}, t_x={}, T={}, weight={}): {}", i, x[i], t_x[i], T[i], w, what));
    };
    if (!std::isfinite(x[i]) || !std::isfinite(t_x[i]) || !std::isfinite(T[i]) ||
        !std::isfinite(w)) {
      throw bad("values must be finite numbers");
    }
    if (x[i] < 0 || x[i] != std::floor(x[i])) throw bad("x must be a whole number >= 0");
    if (t_x[i] < 0) throw bad("t_x must be >= 0");
    if (T[i] < t_x[i]) throw bad("T must be >= t_x (the last purchase lies inside the period)");
    if (x[i] == 0 && t_x[i] != 0) throw bad("t_x must be 0 when x = 0");
    if (w < 0) throw bad("weight must be >= 0");
  }
}

RfmRows collapse_rfm(std::span<const double> x, std::span<const double> t_x,
                     std::span<const double> T, std::span<const double> weight) {
  if (x.size() != t_x.size() || x.size() != T.size() ||
      (!weight.empty() && weight.size() != x.size())) {
    validate_rfm(x, t_x, T, weight);  // throws the length message
  }
  const size_t n = x.size();
  if (n >= (size_t{1} << 32)) {
    throw Error::invalid_argument("collapse_rfm handles at most 2^32 - 1 customers per call");
  }
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads =
      static_cast<int>(std::clamp<size_t>(n / kMinCustomersPerThread, 1, static_cast<size_t>(hw)));
  std::vector<KeyTable> tables(kPartitions);
  // Presized for a partition's share of the customers plus a margin, as if
  // every row were distinct (continuous-time summaries almost are), capped so
  // that data which collapse hard do not pay for tables they never fill.
  const size_t per_partition =
      std::min<size_t>(n / kPartitions + n / kPartitions / 8 + 16, kMaxPresizedKeys);
  // Per thread: its share of the current block, bucketed by partition.
  struct Buckets {
    std::vector<Entry> entries;
    std::vector<uint64_t> hashes;
    std::vector<uint32_t> offsets = std::vector<uint32_t>(kPartitions + 1);
    bool bad = false;
  };
  std::vector<Buckets> buckets(threads);
  std::barrier sync(threads);
  const auto work = [&](int t) {
    Buckets& own = buckets[t];
    std::vector<uint32_t> count(kPartitions + 1);
    std::vector<uint32_t> cursor(kPartitions);
    for (size_t block = 0; block < n; block += kBlock) {
      // Phase 1: this thread's share of the block, bucketed by partition.
      const size_t block_end = std::min(n, block + kBlock), len = block_end - block;
      const size_t b = block + len * t / threads, e = block + len * (t + 1) / threads;
      own.hashes.resize(e - b);
      std::fill(count.begin(), count.end(), 0);
      for (size_t i = b; i < e; ++i) {
        const double w = weight.empty() ? 1.0 : weight[i];
        if (!valid_row(x[i], t_x[i], T[i], w)) own.bad = true;
        const uint64_t h = key_hash(x[i], t_x[i], T[i]);
        own.hashes[i - b] = h;
        if (w != 0) ++count[partition_of(h) + 1];
      }
      for (size_t p = 1; p <= kPartitions; ++p) count[p] += count[p - 1];
      own.offsets = count;
      own.entries.resize(count[kPartitions]);
      std::copy(count.begin(), count.end() - 1, cursor.begin());
      for (size_t i = b; i < e; ++i) {
        const double w = weight.empty() ? 1.0 : weight[i];
        if (w == 0) continue;
        own.entries[cursor[partition_of(own.hashes[i - b])]++] = {x[i], t_x[i], T[i], w, i};
      }
      sync.arrive_and_wait();
      // Phase 2: this thread's partitions, from every thread's buckets in
      // customer order (thread 0 holds the earlier customers).
      const size_t p_begin = kPartitions * t / threads, p_end = kPartitions * (t + 1) / threads;
      if (block == 0) {
        for (size_t p = p_begin; p < p_end; ++p) tables[p].reserve(per_partition);
      }
      for (size_t p = p_begin; p < p_end; ++p) {
        for (const Buckets& from : buckets) {
          for (uint32_t k = from.offsets[p]; k < from.offsets[p + 1]; ++k) {
            const Entry& entry = from.entries[k];
            tables[p].add(entry, key_hash(entry.x, entry.t_x, entry.T));
          }
        }
      }
      sync.arrive_and_wait();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  for (const Buckets& own : buckets) {
    if (own.bad) validate_rfm(x, t_x, T, weight);  // throws, naming the first bad row
  }

  // Distinct rows in order of first appearance.
  std::vector<const Entry*> by_row;
  for (const KeyTable& table : tables) {
    for (const Entry& e : table.keys()) by_row.push_back(&e);
  }
  std::vector<uint64_t> order(by_row.size());
  for (size_t r = 0; r < by_row.size(); ++r) order[r] = by_row[r]->first << 32 | r;
  sort_by_first(order);
  RfmRows rows;
  rows.x.resize(order.size());
  rows.t_x.resize(order.size());
  rows.T.resize(order.size());
  rows.weight.resize(order.size());
  for (size_t r = 0; r < order.size(); ++r) {
    const Entry& e = *by_row[order[r] & 0xFFFFFFFFu];
    rows.x[r] = e.x;
    rows.t_x[r] = e.t_x;
    rows.T[r] = e.T;
    rows.weight[r] = e.weight;
  }
  return rows;
}

}  // namespace clv

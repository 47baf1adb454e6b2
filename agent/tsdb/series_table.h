// SeriesTable: one head stripe's index from label-set hash to series, an
// open-addressing table of (hash, series) slots with linear probing, so a
// lookup touches one slot array instead of hash-map nodes and buckets.
// Several series may share a hash (callers compare labels). Not
// thread-safe: the stripe's lock guards it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace cistern::tsdb {

class MemSeries;

class SeriesTable {
 public:
  // Calls `fn(const std::shared_ptr<MemSeries>&)` for each series with this
  // hash until it returns true; returns that series (nullptr if none did).
  template <typename Fn>
  const std::shared_ptr<MemSeries>* Find(uint64_t hash, Fn&& fn) const {
    if (slots_.empty()) return nullptr;
    const size_t mask = slots_.size() - 1;
    for (size_t i = Home(hash, mask);; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.state == kEmpty) return nullptr;
      if (s.state == kFull && s.hash == hash && fn(s.series)) return &s.series;
    }
  }
  void Insert(uint64_t hash, std::shared_ptr<MemSeries> series);
  // Removes this exact series (pointer equality). False if absent.
  bool Erase(uint64_t hash, const MemSeries* series);
  size_t size() const { return used_; }

 private:
  enum State : uint8_t { kEmpty = 0, kFull, kDeleted };
  struct Slot {
    uint64_t hash = 0;
    std::shared_ptr<MemSeries> series;
    State state = kEmpty;
  };
  // High bits: the low ones chose the stripe, so they are equal within a table.
  static size_t Home(uint64_t hash, size_t mask) {
    return static_cast<size_t>((hash >> 17) ^ (hash >> 43)) & mask;
  }
  void Rehash(size_t capacity);

  std::vector<Slot> slots_;  // size a power of two (or empty)
  size_t used_ = 0;          // kFull slots
  size_t deleted_ = 0;       // kDeleted slots
};

}  // namespace cistern::tsdb

#include "agent/tsdb/series_table.h"

#include <utility>

namespace cistern::tsdb {

void SeriesTable::Insert(uint64_t hash, std::shared_ptr<MemSeries> series) {
  // At most 3/4 occupied (tombstones included).
  if ((used_ + deleted_ + 1) * 4 > slots_.size() * 3) Rehash(std::max<size_t>(8, (used_ + 1) * 2));
  const size_t mask = slots_.size() - 1;
  size_t i = Home(hash, mask);
  while (slots_[i].state == kFull) i = (i + 1) & mask;
  if (slots_[i].state == kDeleted) --deleted_;
  slots_[i] = Slot{hash, std::move(series), kFull};
  ++used_;
}

bool SeriesTable::Erase(uint64_t hash, const MemSeries* series) {
  if (slots_.empty()) return false;
  const size_t mask = slots_.size() - 1;
  for (size_t i = Home(hash, mask);; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.state == kEmpty) return false;
    if (s.state == kFull && s.hash == hash && s.series.get() == series) {
      s.series.reset();
      s.state = kDeleted;
      --used_;
      ++deleted_;
      if (used_ == 0) {
        slots_.clear();
        deleted_ = 0;
      }
      return true;
    }
  }
}

void SeriesTable::Rehash(size_t capacity) {
  size_t cap = 8;
  while (cap < capacity) cap <<= 1;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(cap, Slot{});
  used_ = 0;
  deleted_ = 0;
  const size_t mask = cap - 1;
  for (Slot& s : old) {
    if (s.state != kFull) continue;
    size_t i = Home(s.hash, mask);
    while (slots_[i].state != kEmpty) i = (i + 1) & mask;
    slots_[i] = std::move(s);
    ++used_;
  }
}

}  // namespace cistern::tsdb

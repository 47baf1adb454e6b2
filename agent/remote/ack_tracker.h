// AckTracker: turns request completions, which arrive in any order across
// shards, into the WAL position that is safe to acknowledge. Requests are
// numbered in the order they were cut; request k carries the position it may
// acknowledge once it and every request before it are done (Batcher).
// Not thread-safe: the lane guards it with its mutex.
#pragma once

#include <cstdint>
#include <deque>

#include "agent/wal/wal.h"

namespace cistern::remote {

class AckTracker {
 public:
  explicit AckTracker(wal::Position start = {}) : delivered_(start) {}
  // Registers the next request; returns its sequence number.
  uint64_t Issue(wal::Position ack);
  // Marks request `seq` done (delivered or dropped). Unknown or repeated: ignored.
  void Complete(uint64_t seq);
  // Highest position every request up to which is done.
  wal::Position delivered() const { return delivered_; }
  // Requests issued and not yet done.
  size_t outstanding() const { return outstanding_; }

 private:
  struct Entry {
    wal::Position ack;
    bool done = false;
  };
  std::deque<Entry> window_;  // window_[0] has sequence number base_
  uint64_t base_ = 0;
  size_t outstanding_ = 0;
  wal::Position delivered_;
};

}  // namespace cistern::remote

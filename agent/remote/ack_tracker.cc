#include "agent/remote/ack_tracker.h"

#include <algorithm>

namespace cistern::remote {

uint64_t AckTracker::Issue(wal::Position ack) {
  window_.push_back({ack, false});
  ++outstanding_;
  return base_ + window_.size() - 1;
}

void AckTracker::Complete(uint64_t seq) {
  if (seq < base_ || seq - base_ >= window_.size()) return;
  Entry& e = window_[seq - base_];
  if (e.done) return;
  e.done = true;
  --outstanding_;
  while (!window_.empty() && window_.front().done) {
    delivered_ = std::max(delivered_, window_.front().ack);
    window_.pop_front();
    ++base_;
  }
}

}  // namespace cistern::remote

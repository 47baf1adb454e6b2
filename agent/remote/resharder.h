// Resharder: how many parallel shards a lane should send on, from what it
// observed over the last interval. Plain arithmetic, no clock (testable).
//
//  - While sends fail, the count stays: more shards would only hammer a
//    struggling receiver.
//  - While the lane reads a backlog (samples older than the live threshold),
//    it asks for max_shards: the backlog drains at full speed (max_drain_rate
//    limits it where a user wants that).
//  - Otherwise Prometheus' queue-manager rule: time per sample (seconds spent
//    in requests / samples sent) times the samples to send per second (the
//    incoming rate plus 5% of what is pending per second), with a 30% dead
//    band so the count does not flap.
#pragma once

#include <cstddef>

namespace cistern::remote {

struct ReshardInputs {
  double elapsed_s = 0;      // length of the interval
  double samples_in = 0;     // samples read from the WAL in the interval
  double samples_out = 0;    // samples delivered in the interval
  double send_seconds = 0;   // sum of request durations in the interval (over all shards)
  double pending = 0;        // samples read but not yet delivered, now
  bool failing = false;      // a request failed in the interval
  bool backlog = false;      // the lane is reading old samples
};

class Resharder {
 public:
  Resharder(size_t min_shards, size_t max_shards);
  // Returns the desired shard count given the current one.
  size_t Update(const ReshardInputs& in, size_t current);

 private:
  struct Ewma {
    double value = 0;
    bool init = false;
    void Add(double v);
  };
  size_t min_, max_;
  Ewma in_rate_, out_rate_, out_duration_;
};

}  // namespace cistern::remote

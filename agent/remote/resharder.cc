#include "agent/remote/resharder.h"

#include <algorithm>
#include <cmath>

namespace cistern::remote {
namespace {
constexpr double kWeight = 0.2;     // EWMA weight of the newest interval (as Prometheus)
constexpr double kCatchUp = 0.05;   // share of the pending samples to send per second on top of the in rate
constexpr double kTolerance = 0.3;  // dead band around the current count
}  // namespace

void Resharder::Ewma::Add(double v) {
  value = init ? kWeight * v + (1 - kWeight) * value : v;
  init = true;
}

Resharder::Resharder(size_t min_shards, size_t max_shards)
    : min_(std::max<size_t>(1, min_shards)), max_(std::max(min_, max_shards)) {}

size_t Resharder::Update(const ReshardInputs& in, size_t current) {
  if (in.elapsed_s <= 0) return std::clamp(current, min_, max_);
  in_rate_.Add(in.samples_in / in.elapsed_s);
  out_rate_.Add(in.samples_out / in.elapsed_s);
  out_duration_.Add(in.send_seconds / in.elapsed_s);
  if (in.failing) return std::clamp(current, min_, max_);
  if (in.backlog) return max_;
  if (out_rate_.value <= 0) return std::clamp(current, min_, max_);
  double time_per_sample = out_duration_.value / out_rate_.value;
  double want = time_per_sample * (in_rate_.value + kCatchUp * in.pending);
  double lo = current * (1 - kTolerance), hi = current * (1 + kTolerance);
  if (want > lo && want < hi) return std::clamp(current, min_, max_);
  auto desired = static_cast<size_t>(std::ceil(want));
  return std::clamp(desired, min_, max_);
}

}  // namespace cistern::remote

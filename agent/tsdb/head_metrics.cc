#include "agent/tsdb/head_metrics.h"

namespace cistern::tsdb {

HeadMetrics HeadMetrics::Register(obs::Registry* r) {
  HeadMetrics m;
  m.series = r->NewGauge("cistern_tsdb_head_series", "Series in the head.");
  m.chunks = r->NewGauge("cistern_tsdb_head_chunks", "Chunks in the head, in-order and out-of-order.");
  m.samples_appended =
      r->NewCounter("cistern_tsdb_head_samples_appended_total", "Samples committed to the head.");
  m.out_of_order_appended = r->NewCounter("cistern_tsdb_head_out_of_order_samples_appended_total",
                                          "Samples committed to the head's out-of-order chunks.");
  obs::CounterFamily* rejected = r->NewCounterFamily("cistern_tsdb_samples_rejected_total",
                                                     "Samples the head rejected, by reason.", {"reason"});
  m.rejected_out_of_bounds = rejected->With({"out_of_bounds"});
  m.rejected_out_of_order = rejected->With({"out_of_order"});
  m.rejected_duplicate = rejected->With({"duplicate"});
  return m;
}

obs::Counter* HeadMetrics::Rejected(storage::Rejection r) const {
  switch (r) {
    case storage::Rejection::kOutOfBounds:
    case storage::Rejection::kTooOld:
      return rejected_out_of_bounds;
    case storage::Rejection::kOutOfOrder:
      return rejected_out_of_order;
    case storage::Rejection::kDuplicate:
      return rejected_duplicate;
  }
  return rejected_out_of_bounds;
}

}  // namespace cistern::tsdb

// Self-metrics of the head (STYLE.md: one struct per component). Pointers
// into an obs::Registry; thread-safe to update.
#pragma once

#include "agent/obs/metrics.h"
#include "agent/storage/append_error.h"

namespace cistern::tsdb {

struct HeadMetrics {
  obs::Gauge* series = nullptr;                   // cistern_tsdb_head_series
  obs::Gauge* chunks = nullptr;                   // cistern_tsdb_head_chunks (in-order + out-of-order)
  obs::Counter* samples_appended = nullptr;       // cistern_tsdb_head_samples_appended_total
  obs::Counter* out_of_order_appended = nullptr;  // cistern_tsdb_head_out_of_order_samples_appended_total
  // cistern_tsdb_samples_rejected_total{reason="out_of_bounds"|"out_of_order"|"duplicate"}
  obs::Counter* rejected_out_of_bounds = nullptr;
  obs::Counter* rejected_out_of_order = nullptr;
  obs::Counter* rejected_duplicate = nullptr;

  static HeadMetrics Register(obs::Registry* registry);
  obs::Counter* Rejected(storage::Rejection r) const;
};

}  // namespace cistern::tsdb

// The sample rejections every store reports the same way, so the
// remote-write receiver can answer like Prometheus whatever sits behind the
// Appender. A rejection is an InvalidArgument Status whose message starts with
// Prometheus' error text (storage.ErrOutOfBounds & co.); RejectionOf() maps a
// Status back to the reason. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "agent/base/status.h"

namespace cistern::storage {

enum class Rejection {
  kOutOfBounds,  // older than the store accepts ("out of bounds")
  kOutOfOrder,   // older than the series' newest sample, no OOO window ("out of order sample")
  kTooOld,       // older than the out-of-order window ("too old sample")
  kDuplicate,    // same timestamp, different value ("duplicate sample for timestamp")
};

// Prometheus' message for the reason, e.g. "out of order sample".
std::string_view RejectionMessage(Rejection r);
// The `reason` label of cistern_tsdb_samples_rejected_total: "out_of_bounds",
// "out_of_order", "duplicate". kTooOld counts as "out_of_bounds" (the issue:
// samples older than the window are counted like out-of-bounds samples).
std::string_view RejectionReasonLabel(Rejection r);

// InvalidArgument "<message>" plus optional detail: "out of bounds: t=5".
Status RejectionError(Rejection r, std::string_view detail = {});
// The reason of a Status made by RejectionError(), nullopt for anything else.
std::optional<Rejection> RejectionOf(const Status& s);

}  // namespace cistern::storage

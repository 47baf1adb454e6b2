// Durations as Prometheus' model package (prometheus/common/model) parses and
// prints them: "1h30m", "5m", "1y", "250ms". Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace cistern::promql {

// model.ParseDuration: units y w d h m s ms, each at most once, in that order
// ("1h30m" yes, "30m1h" no), integer counts; "0" alone is allowed. A year is
// 365d, a week 7d. Returns milliseconds. InvalidArgument with Prometheus'
// texts: `not a valid duration string: "1.5m"`, `duration out of range`,
// `empty duration string`.
StatusOr<int64_t> ParseDuration(std::string_view s);

// model.Duration.String(): "0s" for zero; years and weeks only when they
// divide evenly ("1y", "2w", but "379d" for 1y2w); then d h m s ms.
// Negative durations print as "" (callers print the sign themselves).
std::string FormatDuration(int64_t ms);

}  // namespace cistern::promql

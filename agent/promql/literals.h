// Number and string literals as Prometheus' parser converts them:
// strconv.ParseInt(s, 0, 64) falling back to strconv.ParseFloat, and
// strutil.Unquote (Go escapes; \x and octal escapes give raw bytes).
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace cistern::promql {

// False with Go's message ("strconv.ParseFloat: parsing \"1e\": invalid
// syntax") in *error.
bool ParseNumberLiteral(std::string_view s, double* out, std::string* error);

// `s` includes its quotes ("...", '...' or `...`). False on malformed input.
bool UnquoteString(std::string_view s, std::string* out);

// fmt's %f: "1.500000", "+Inf", "-Inf", "NaN".
std::string FormatGoF(double v);

// timestamp.FromFloatSeconds: round(v * 1000) as int64 (amd64 conversion
// semantics for values out of range).
int64_t FromFloatSeconds(double v);

}  // namespace cistern::promql

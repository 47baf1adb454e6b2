// Float formatting exactly as Go's strconv.FormatFloat(v, fmt, -1, 64), which
// Prometheus uses everywhere: 'g' in the text exposition format, 'f' in the
// HTTP API's JSON. Shortest decimal that round-trips; "+Inf", "-Inf", "NaN".
#pragma once

#include <string>

namespace cistern {

std::string FormatFloatG(double v);  // 1e+06, 0.001, 1.5e-05, 123.456
std::string FormatFloatF(double v);  // 1000000, 0.001, 0.000015
void AppendFloatG(std::string* out, double v);

// Parses Prometheus float syntax: decimal, exponent, hex, "Inf", "+Inf",
// "-Inf", "NaN" (case-insensitive). Returns false on anything else.
bool ParseFloat(std::string_view s, double* out);

}  // namespace cistern

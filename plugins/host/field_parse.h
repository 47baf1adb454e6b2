// Small helpers the device collectors share to take /proc and /sys text
// apart: whitespace fields, lines, numbers. Pure functions, thread-safe.
// Views returned point into the caller's text.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace cistern::plugins::host::fields {

// Fields separated by runs of spaces or tabs (strings.Fields for one line).
std::vector<std::string_view> Split(std::string_view line);

// Lines without their '\n'; a final line without '\n' counts, the empty
// string after a final '\n' does not.
std::vector<std::string_view> Lines(std::string_view text);

// Whole-string numbers: no sign for unsigned, no spaces, no trailing junk.
bool ParseUint64(std::string_view s, uint64_t* out);
bool ParseInt64(std::string_view s, int64_t* out);
// Decimal floating point as Go's strconv.ParseFloat takes /proc values.
bool ParseDouble(std::string_view s, double* out);

}  // namespace cistern::plugins::host::fields

// Text helpers for the collectors' parsers: splitting and number
// parsing with the semantics of the Go functions node_exporter's parsers use
// (strings.Fields, strings.TrimSpace, bufio.ScanLines, strconv.ParseUint /
// ParseFloat), so that what node_exporter accepts or rejects, we do too.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace cistern::plugins::host {

// strings.TrimSpace / strings.Fields for ASCII whitespace (' ', \t, \n, \v, \f, \r).
std::string_view TrimSpace(std::string_view s);
std::vector<std::string_view> Fields(std::string_view s);

// bufio.ScanLines: split on '\n', a trailing '\r' dropped from each line, no
// empty last line for a final newline.
std::vector<std::string_view> Lines(std::string_view text);

// strconv.ParseUint(s, 10, 64): decimal digits only, the whole string.
bool ParseUint(std::string_view s, uint64_t* out);
// strconv.ParseInt(s, 10, 64): an optional '-', digits, the whole string.
bool ParseInt(std::string_view s, int64_t* out);
// strconv.ParseFloat(s, 64) for the decimal forms /proc prints (an optional
// sign, digits, a fraction, an exponent; "inf" / "nan" too); the whole string.
bool ParseFloat(std::string_view s, double* out);

// node_exporter's readUintFromFile: the file's trimmed content as a uint64.
// NotFound if the file does not exist; InvalidArgument naming the file if it
// is not a number.
StatusOr<uint64_t> ReadUintFile(const std::string& path);

// The names in directory `dir`, sorted (as Go's filepath.Glob returns them),
// without "." and "..". NotFound if `dir` does not exist.
StatusOr<std::vector<std::string>> ListDir(const std::string& dir);

// For a collector that has already emitted samples when a later source turns
// out to be missing: NotFound would mean "nothing here, nothing emitted", so
// it becomes FailedPrecondition (the collection failed); other codes pass.
Status AfterEmit(Status s);

}  // namespace cistern::plugins::host

// Small JSON output helpers shared by everything that writes JSON by hand
// (the HTTP API, meta.json, inspect reports). Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace cistern {

// Appends `s` as a JSON string literal (quotes included) exactly as Go's
// encoding/json writes it, which Prometheus' API answers use: '"', '\\',
// \n \r \t, other control characters and < > & as \u00XX, U+2028/U+2029
// escaped, each byte of invalid UTF-8 as \ufffd; valid UTF-8 copied.
void AppendJsonString(std::string* out, std::string_view s);
std::string JsonString(std::string_view s);

}  // namespace cistern

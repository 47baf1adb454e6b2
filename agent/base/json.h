// Small JSON output helpers shared by everything that writes JSON by hand
// (the HTTP API, meta.json, inspect reports). Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace cistern {

// Appends `s` as a JSON string literal (quotes included), escaping '"', '\\'
// and control characters; other bytes are copied unchanged (UTF-8 stays UTF-8).
void AppendJsonString(std::string* out, std::string_view s);
std::string JsonString(std::string_view s);

}  // namespace cistern

// TOML text -> Value tree (the only place that sees tomlplusplus).
// Strings may reference environment variables as ${NAME} ("$${" is a literal
// "${"); an undefined variable is an error naming file:line.
#pragma once

#include <string_view>

#include "agent/base/status.h"
#include "agent/config/value.h"

namespace cistern::config {

// Errors: "file:line:column: <toml syntax error>" or "file:line: <key>: undefined environment variable X".
StatusOr<Value> ParseTomlText(std::string_view text, std::string_view filename);

}  // namespace cistern::config

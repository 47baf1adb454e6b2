// Go's regexp compile errors for label-matcher regexes, which Prometheus
// reports verbatim ("error parsing regexp: missing closing ): `^(?:()$`").
// RE2 shares Go's syntax and error fragments; this maps its codes to Go's
// texts and adds what Go rejects but RE2 accepts (\C). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cistern::promql {

// For the matcher value `v` (compiled as "^(?:v)$", as Prometheus does):
// the Go error message, or nullopt when Go would accept the regex.
std::optional<std::string> GoRegexpError(std::string_view v);

}  // namespace cistern::promql

// Test-only CLI for the differential test against Prometheus
// (tests/integration/promql_parse_compare.sh): reads queries, one per line,
// from stdin and prints "ok <Format(expr)>" or "err <ParseError::ToString()>"
// per line. Queries may use the escapes \n and \\ to carry newlines.
// With --selector, parses each line with ParseMetricSelector instead and
// prints "ok <n> nonempty|empty" (whether some matcher rejects "").
#include <iostream>
#include <string>
#include <string_view>

#include "agent/promql/parser.h"
#include "agent/promql/printer.h"

namespace {

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'n' || s[i + 1] == '\\')) {
      out.push_back(s[i + 1] == 'n' ? '\n' : '\\');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool selector = argc > 1 && std::string_view(argv[1]) == "--selector";
  bool escaped = argc > 1 && std::string_view(argv[argc - 1]) == "--escaped";
  std::string line;
  while (std::getline(std::cin, line)) {
    std::string q = escaped ? Unescape(line) : line;
    if (selector) {
      auto m = cistern::promql::ParseMetricSelector(q);
      if (m.ok()) {
        bool nonempty = false;
        for (const auto& lm : *m) nonempty = nonempty || !lm.Matches("");
        std::cout << "ok " << m->size() << (nonempty ? " nonempty" : " empty") << "\n";
      } else {
        std::cout << "err " << m.status().message() << "\n";
      }
      continue;
    }
    auto e = cistern::promql::ParseExpr(q);
    if (e.ok()) {
      std::cout << "ok " << cistern::promql::Format(**e) << "\n";
    } else {
      std::cout << "err " << e.status().message() << "\n";
    }
  }
  return 0;
}

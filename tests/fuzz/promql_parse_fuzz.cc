// Arbitrary bytes as a PromQL query: the parser must accept or reject without
// crashing, and whatever it accepts must print (Format) to a query that parses
// again and prints identically (except where Prometheus' own printer is not a
// fixed point: a "+Inf" literal can read back as a unary plus, see
// printer_test's PlusInfBeforePowerIsNotAFixedPointLikePrometheus). Also runs the bare-selector parser and the
// lexer on their own.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "agent/promql/lexer.h"
#include "agent/promql/parser.h"
#include "agent/promql/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // deep nesting is recursion; keep inputs query-sized
  std::string_view q(reinterpret_cast<const char*>(data), size);

  cistern::promql::Lexer lex(q);
  for (size_t i = 0; i <= size + 1; ++i) {
    cistern::promql::Token t = lex.Next();
    if (t.pos < 0 || static_cast<size_t>(t.pos) > size) __builtin_trap();
    if (t.type == cistern::promql::TokenType::kEOF) break;
  }

  (void)cistern::promql::ParseMetricSelector(q);

  cistern::promql::ParseError err;
  auto e = cistern::promql::ParseExpr(q, &err);
  if (!e.ok()) {
    if (err.message.empty() || err.range.start < 0 || static_cast<size_t>(err.range.start) > size) __builtin_trap();
    return 0;
  }
  std::string f = cistern::promql::Format(**e);
  auto again = cistern::promql::ParseExpr(f);
  if (!again.ok()) {
    std::fprintf(stderr, "formatted query does not parse: %s\n%s\n", f.c_str(), again.status().message().c_str());
    __builtin_trap();
  }
  std::string f2 = cistern::promql::Format(**again);
  if (f2 != f && f.find("+Inf") == std::string::npos) {
    std::fprintf(stderr, "format not stable:\n%s\n%s\n", f.c_str(), f2.c_str());
    __builtin_trap();
  }
  return 0;
}

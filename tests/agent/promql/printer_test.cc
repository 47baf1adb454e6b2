#include "agent/promql/printer.h"

#include <gtest/gtest.h>

#include "agent/promql/parser.h"

namespace cistern::promql {
namespace {

std::string Fmt(std::string_view q) {
  auto e = ParseExpr(q);
  if (!e.ok()) return "error: " + e.status().message();
  return Format(**e);
}

// Expected texts are what Prometheus 2.42's /api/v1/format_query returns.
TEST(PrinterTest, CanonicalFormsMatchPrometheus) {
  struct Case {
    std::string_view in, out;
  } cases[] = {
      {"sum(rate(x[5m]))by(a)", "sum by (a) (rate(x[5m]))"},
      {"SUM(x) BY (a)", "sum by (a) (x)"},
      {"sum by () (x)", "sum(x)"},
      {"sum without () (x)", "sum without () (x)"},
      {"topk(3, x) by (a)", "topk by (a) (3, x)"},
      {"count_values(\"v\", x)", "count_values(\"v\", x)"},
      {"x{b=\"1\",a=\"2\"}", "x{a=\"2\",b=\"1\"}"},
      {"x{a!=\"1\",a=\"0\"}", "x{a!=\"1\",a=\"0\"}"},
      {"foo{}", "foo"},
      {"{__name__=\"foo\"}", "{__name__=\"foo\"}"},
      {"x{a='b'}", "x{a=\"b\"}"},
      {"x{a=`b\\`}", "x{a=\"b\\\\\"}"},
      {"x[90m]", "x[1h30m]"},
      {"x[1y2w]", "x[379d]"},
      {"x[1500ms]", "x[1s500ms]"},
      {"x[5m a1m]", "x[5m:1m]"},
      {"x offset -1h", "x offset -1h"},
      {"x offset -5m @ start()", "x @ start() offset -5m"},
      {"x{a=\"b\"}[5m] offset 3m @ 10", "x{a=\"b\"}[5m] @ 10.000 offset 3m"},
      {"x @ 1.2345", "x @ 1.235"},
      {"x @ -5", "x @ -5.000"},
      {"sum(x)[5m:1m] offset 1m", "sum(x)[5m:1m] offset 1m"},
      {"x[5m:] @ end() offset 1m", "x[5m:] @ end() offset 1m"},
      {"-2^2", "-2 ^ 2"},
      {"- -5", "5"},
      {"-(5)", "-(5)"},
      {"1 - -5", "1 - -5"},
      {"(2^3)^2", "(2 ^ 3) ^ 2"},
      {"a + on(b) group_left(c) d", "a + on (b) group_left (c) d"},
      {"a + on(b) group_left c", "a + on (b) group_left () c"},
      {"a + ignoring(x) group_right b", "a + ignoring (x) group_right () b"},
      {"a + ignoring() group_left() b", "a + b"},
      {"a + on() b", "a + on () b"},
      {"1 + on() x", "1 + x"},
      {"x == bool y", "x == bool y"},
      {"a - on(x,y,) b", "a - on (x, y) b"},
      {"1e30", "1e+30"},
      {"0.00001", "1e-05"},
      {"1234567", "1.234567e+06"},
      {"0x1F", "31"},
      {"Inf", "+Inf"},
      {"-inf", "-Inf"},
      {"NaN", "NaN"},
      {".5", "0.5"},
      {"\"\\u00e9\\x01\\U0001F600\\101 \\a\\t\"", "\"\xc3\xa9\\x01\xf0\x9f\x98\x80" "A \\a\\t\""},
      {"\"\\x80\\xff\"", "\"\\x80\\xff\""},
      {"\"\\u200b\\u00a0\"", "\"\\u200b\\u00a0\""},
      {"label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")", "label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")"},
      {"sum(\n  rate(x[5m])\n) by (job) # c", "sum by (job) (rate(x[5m]))"},
  };
  for (const Case& c : cases) EXPECT_EQ(Fmt(c.in), c.out) << c.in;
}

// Prometheus prints the literal +Inf with its sign, so a +Inf on the left of
// "^" after a binary minus reads back as a unary plus: its printer is not a
// fixed point there, and ours must not be either (checked against 2.42's
// /api/v1/format_query; found by the fuzz target).
TEST(PrinterTest, PlusInfBeforePowerIsNotAFixedPointLikePrometheus) {
  EXPECT_EQ(Fmt("0-inf^0"), "0 - +Inf ^ 0");
  EXPECT_EQ(Fmt("0 - +Inf ^ 0"), "0 - ++Inf ^ 0");
  EXPECT_EQ(Fmt("0 - ++Inf ^ 0"), "0 - +++Inf ^ 0");
}

TEST(PrinterTest, RoundTripGivesAnEqualTree) {
  for (std::string_view q :
       {"sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m] offset 1h))", "topk(5, x) / on(a) group_left(b) y",
        "histogram_quantile(0.9, sum by (le) (rate(x[5m])))", "-x ^ 2 * 3 atan2 y", "x[30m:1m] @ 100 offset -5m",
        "a or b and c unless d", "count_values(\"v\", x) > bool 3", "{__name__=~\"a|b\", job!=\"\"}",
        "\"str\\n\\xff\"", "absent_over_time(x[1y2w3d])", "quantile(0.5, x) without (instance)"}) {
    auto e = ParseExpr(q);
    ASSERT_TRUE(e.ok()) << q << ": " << e.status().message();
    std::string f = Format(**e);
    auto again = ParseExpr(f);
    ASSERT_TRUE(again.ok()) << f << ": " << again.status().message();
    EXPECT_TRUE(Equal(**e, **again)) << q << " -> " << f;
    EXPECT_EQ(Format(**again), f);
  }
}

}  // namespace
}  // namespace cistern::promql

namespace cistern::promql {
namespace {

std::string PrettyOf(std::string_view q) {
  auto e = ParseExpr(q);
  return e.ok() ? Pretty(**e) : "error: " + std::string(e.status().message());
}

// Prometheus 2.42's format_query output (the differential test compares the
// same queries against the real one).
TEST(PrettyTest, SplitsNodesLongerThan100Bytes) {
  EXPECT_EQ(PrettyOf("sum by(job)(rate(x[5m]))"), "sum by (job) (rate(x[5m]))");
  EXPECT_EQ(PrettyOf("sum by (job, instance) (rate(http_requests_total{code=~\"5..\", method=\"GET\"}[5m])) / "
                     "ignoring (code) group_left sum by (job, instance) (rate(http_requests_total[5m]))"),
            "  sum by (job, instance) (rate(http_requests_total{code=~\"5..\",method=\"GET\"}[5m]))\n"
            "/ ignoring (code) group_left ()\n"
            "  sum by (job, instance) (rate(http_requests_total[5m]))");
  EXPECT_EQ(PrettyOf("-(label_replace(up{job=\"node\", instance=~\"10\\\\.0\\\\..*\"}, \"host\", \"$1\", \"instance\", "
                     "\"(.*):.*\") * on (instance) group_right (host) instance_role{role=\"database-primary-replica\"})"),
            "-(\n"
            "    label_replace(up{instance=~\"10\\\\.0\\\\..*\",job=\"node\"}, \"host\", \"$1\", \"instance\", \"(.*):.*\")\n"
            "  * on (instance) group_right (host)\n"
            "    instance_role{role=\"database-primary-replica\"}\n"
            ")");
}

}  // namespace
}  // namespace cistern::promql

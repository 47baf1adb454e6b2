#include "agent/promql/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>

#include "agent/model/sample.h"
#include "agent/tsdb/head.h"

namespace cistern::promql {
namespace {

constexpr int64_t kMin = 60 * 1000;

class EngineTest : public ::testing::Test {
 protected:
  // Appends `values` to `labels` every `step` ms from `start`; NaN entries of
  // `skip` are left out (gaps).
  void Add(const model::Labels& labels, int64_t start, int64_t step, std::initializer_list<double> values) {
    auto app = head_.NewAppender();
    int64_t t = start;
    for (double v : values) {
      if (!std::isnan(v) || model::IsStaleNaN(v)) ASSERT_TRUE(app->Append(0, labels, t, v).ok());
      t += step;
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  // "labels => value" lines of an instant query, in result order.
  std::string Instant(std::string_view q, int64_t t, EngineOptions o = {}) {
    Engine e(o);
    auto r = e.Instant(head_, q, t);
    if (!r.ok()) return "error: " + std::string(r.status().message());
    std::string out;
    if (auto* s = std::get_if<ScalarValue>(&r->value)) return "scalar " + Num(s->v);
    for (const VSample& s : std::get<Vector>(r->value)) out += s.metric.ToString() + " => " + Num(s.v) + "\n";
    return out;
  }

  std::string Range(std::string_view q, int64_t start, int64_t end, int64_t step) {
    Engine e;
    auto r = e.Range(head_, q, start, end, step);
    if (!r.ok()) return "error: " + std::string(r.status().message());
    std::string out;
    for (const SeriesPoints& s : std::get<Matrix>(r->value)) {
      out += s.metric.ToString() + " =>";
      for (const FPoint& p : s.points) out += " " + Num(p.v) + "@" + std::to_string(p.t / 1000);
      out += "\n";
    }
    return out;
  }

  static std::string Num(double v) {
    if (std::isnan(v)) return "NaN";
    char buf[64];
    snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }

  tsdb::Head head_;
};

TEST_F(EngineTest, SelectorLookbackAndStaleness) {
  model::Labels a{{"__name__", "m"}, {"job", "a"}};
  // Samples at 0, 1m, 2m; a staleness marker at 3m.
  Add(a, 0, kMin, {1, 2, 3, model::StaleNaN()});
  EXPECT_EQ(Instant("m", 2 * kMin), "m{job=\"a\"} => 3\n");
  EXPECT_EQ(Instant("m", 2 * kMin + 30000), "m{job=\"a\"} => 3\n");
  // The marker ends the series at once.
  EXPECT_EQ(Instant("m", 3 * kMin), "");
  // Without a marker: 5 minutes of lookback, inclusive at the boundary.
  model::Labels b{{"__name__", "m"}, {"job", "b"}};
  Add(b, 0, kMin, {7});
  EXPECT_EQ(Instant("m{job=\"b\"}", 5 * kMin), "m{job=\"b\"} => 7\n");
  EXPECT_EQ(Instant("m{job=\"b\"}", 5 * kMin + 1), "");
  EXPECT_EQ(Range("m", 0, 4 * kMin, kMin), "m{job=\"a\"} => 1@0 2@60 3@120\nm{job=\"b\"} => 7@0 7@60 7@120 7@180 7@240\n");
}

TEST_F(EngineTest, OffsetAndAt) {
  model::Labels a{{"__name__", "m"}, {"job", "a"}};
  Add(a, 0, kMin, {1, 2, 3, 4, 5});
  EXPECT_EQ(Instant("m offset 2m", 4 * kMin), "m{job=\"a\"} => 3\n");
  EXPECT_EQ(Instant("m offset -1m", 2 * kMin), "m{job=\"a\"} => 4\n");
  EXPECT_EQ(Instant("m @ 60", 4 * kMin), "m{job=\"a\"} => 2\n");
  EXPECT_EQ(Range("m @ start()", kMin, 3 * kMin, kMin), "m{job=\"a\"} => 2@60 2@120 2@180\n");
  EXPECT_EQ(Range("m @ end()", kMin, 3 * kMin, kMin), "m{job=\"a\"} => 4@60 4@120 4@180\n");
}

TEST_F(EngineTest, ArithmeticAndMatching) {
  Add({{"__name__", "req"}, {"job", "a"}, {"code", "200"}}, 0, kMin, {10});
  Add({{"__name__", "req"}, {"job", "a"}, {"code", "500"}}, 0, kMin, {2});
  Add({{"__name__", "req"}, {"job", "b"}, {"code", "200"}}, 0, kMin, {4});
  Add({{"__name__", "lim"}, {"job", "a"}}, 0, kMin, {100});
  Add({{"__name__", "lim"}, {"job", "b"}}, 0, kMin, {8});
  EXPECT_EQ(Instant("req * 2", 0), "{code=\"200\", job=\"a\"} => 20\n{code=\"200\", job=\"b\"} => 8\n{code=\"500\", job=\"a\"} => 4\n");
  EXPECT_EQ(Instant("req > 3", 0), "req{code=\"200\", job=\"a\"} => 10\nreq{code=\"200\", job=\"b\"} => 4\n");
  EXPECT_EQ(Instant("3 < bool req", 0),
            "{code=\"200\", job=\"a\"} => 1\n{code=\"200\", job=\"b\"} => 1\n{code=\"500\", job=\"a\"} => 0\n");
  EXPECT_EQ(Instant("req / ignoring(code) group_left lim", 0),
            "{code=\"200\", job=\"a\"} => 0.1\n{code=\"200\", job=\"b\"} => 0.5\n{code=\"500\", job=\"a\"} => 0.02\n");
  EXPECT_EQ(Instant("lim / on(job) group_right req", 0),
            "{code=\"200\", job=\"a\"} => 10\n{code=\"200\", job=\"b\"} => 2\n{code=\"500\", job=\"a\"} => 50\n");
  EXPECT_EQ(Instant("req / ignoring(code) lim", 0),
            "error: multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
  EXPECT_EQ(Instant("lim / ignoring(code) group_left req", 0),
            "error: found duplicate series for the match group {job=\"a\"} on the right hand-side of the operation: "
            "[{__name__=\"req\", code=\"500\", job=\"a\"}, {__name__=\"req\", code=\"200\", job=\"a\"}];many-to-many matching not allowed: "
            "matching labels must be unique on one side");
  EXPECT_EQ(Instant("req and on(job) lim > 10", 0),
            "req{code=\"200\", job=\"a\"} => 10\nreq{code=\"500\", job=\"a\"} => 2\n");
  EXPECT_EQ(Instant("req{code=\"500\"} or on(job) lim", 0), "req{code=\"500\", job=\"a\"} => 2\nlim{job=\"b\"} => 8\n");
  EXPECT_EQ(Instant("lim unless on(job) req{code=\"500\"}", 0), "lim{job=\"b\"} => 8\n");
  EXPECT_EQ(Instant("2 ^ 3 + 1", 0), "scalar 9");
  EXPECT_EQ(Instant("-req{code=\"500\"}", 0), "{code=\"500\", job=\"a\"} => -2\n");
}

TEST_F(EngineTest, Aggregations) {
  Add({{"__name__", "x"}, {"job", "a"}, {"i", "1"}}, 0, kMin, {1});
  Add({{"__name__", "x"}, {"job", "a"}, {"i", "2"}}, 0, kMin, {3});
  Add({{"__name__", "x"}, {"job", "b"}, {"i", "3"}}, 0, kMin, {10});
  Add({{"__name__", "x"}, {"job", "b"}, {"i", "4"}}, 0, kMin, {10});
  EXPECT_EQ(Instant("sum by (job) (x)", 0), "{job=\"a\"} => 4\n{job=\"b\"} => 20\n");
  EXPECT_EQ(Instant("avg without (i) (x)", 0), "{job=\"a\"} => 2\n{job=\"b\"} => 10\n");
  EXPECT_EQ(Instant("count(x)", 0), "{} => 4\n");
  EXPECT_EQ(Instant("stddev by (job) (x)", 0), "{job=\"a\"} => 1\n{job=\"b\"} => 0\n");
  EXPECT_EQ(Instant("max by (job) (x)", 0), "{job=\"a\"} => 3\n{job=\"b\"} => 10\n");
  EXPECT_EQ(Instant("topk(1, x{job=\"a\"})", 0), "x{i=\"2\", job=\"a\"} => 3\n");
  EXPECT_EQ(Instant("bottomk by (job) (1, x)", 0), "x{i=\"1\", job=\"a\"} => 1\nx{i=\"3\", job=\"b\"} => 10\n");
  EXPECT_EQ(Instant("count_values(\"v\", x)", 0), "{v=\"1\"} => 1\n{v=\"3\"} => 1\n{v=\"10\"} => 2\n");
  EXPECT_EQ(Instant("count_values(\"a-b\", x)", 0), "error: invalid label name \"a-b\"");
  EXPECT_EQ(Instant("group by (job) (x)", 0), "{job=\"a\"} => 1\n{job=\"b\"} => 1\n");
  EXPECT_EQ(Instant("sum(x) by ()", 0), "{} => 24\n");
}

TEST_F(EngineTest, SameLabelsetAfterDroppingTheName) {
  Add({{"__name__", "a"}, {"job", "x"}}, 0, kMin, {1});
  Add({{"__name__", "b"}, {"job", "x"}}, 0, kMin, {2});
  EXPECT_EQ(Instant("{job=\"x\"} * 1", 0), "error: vector cannot contain metrics with the same labelset");
  EXPECT_EQ(Instant("-{job=\"x\"}", 0), "error: vector cannot contain metrics with the same labelset");
  // Range queries too, wherever two inputs meet at one step...
  EXPECT_EQ(Range("abs({job=\"x\"})", 0, kMin, 15000), "error: vector cannot contain metrics with the same labelset");
  EXPECT_EQ(Range("label_replace({job=\"x\"}, \"__name__\", \"c\", \"\", \"\")", 0, kMin, 15000),
            "error: vector cannot contain metrics with the same labelset");
  // ...but series that never meet merge into one.
  Add({{"__name__", "c"}, {"job", "y"}}, 10 * kMin, kMin, {5});
  EXPECT_EQ(Range("label_replace(label_replace({__name__=~\"a|c\"}, \"job\", \"z\", \"\", \"\"), \"__name__\", \"q\", \"\", \"\")",
                  0, 10 * kMin, 5 * kMin),
            "q{job=\"z\"} => 1@0 1@300 5@600\n");
}

TEST_F(EngineTest, AtEndIsTheRequestedEndNotTheLastStep) {
  Add({{"__name__", "m"}}, 0, kMin, {1, 2, 3, 4, 5});
  // Steps at 0, 90 s, 180 s; end() is 200 s.
  EXPECT_EQ(Range("m @ end()", 0, 200000, 90000), "m{} => 4@0 4@90 4@180\n");
}

TEST_F(EngineTest, LimitsAndCancellation) {
  for (int i = 0; i < 20; ++i) Add({{"__name__", "m"}, {"i", std::to_string(i)}}, 0, kMin, {1, 2, 3});
  EngineOptions o;
  o.max_samples = 10;
  EXPECT_EQ(Instant("m", 0, o),
            "error: query processing would load too many samples into memory in query execution");
  Engine e;
  std::atomic<bool> cancel{true};
  QueryOptions qo;
  qo.cancel = &cancel;
  auto r = e.Instant(head_, "m", 0, qo);
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  auto bad = e.Range(head_, "m[5m]", 0, 60000, 1000);
  EXPECT_EQ(bad.status().message(),
            "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
}

TEST_F(EngineTest, TopLevelRangeVectorAndSubquery) {
  Add({{"__name__", "m"}}, 0, kMin, {1, 2, 3, 4});
  Engine e;
  auto r = e.Instant(head_, "m[2m]", 3 * kMin);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Matrix& m = std::get<Matrix>(r->value);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].points.size(), 3u);  // 1m, 2m, 3m: both ends inclusive
  EXPECT_EQ(m[0].points[0].t, kMin);
  auto sq = e.Instant(head_, "m[3m:1m]", 3 * kMin);
  ASSERT_TRUE(sq.ok()) << sq.status().message();
  const Matrix& s = std::get<Matrix>(sq->value);
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(s[0].points.size(), 4u);
  EXPECT_EQ(s[0].points[3].v, 4);
}

TEST_F(EngineTest, FunctionsWithoutKernels) {
  Add({{"__name__", "m"}, {"job", "a"}}, 0, kMin, {1, 2});
  EXPECT_EQ(Instant("vector(3)", 0), "{} => 3\n");
  EXPECT_EQ(Instant("scalar(m)", kMin), "scalar 2");
  EXPECT_EQ(Instant("time()", kMin), "scalar 60");
  EXPECT_EQ(Instant("timestamp(m)", kMin + 5000), "{job=\"a\"} => 60\n");
  EXPECT_EQ(Instant("absent(nonexistent{job=\"x\", a=~\"y\"})", 0), "{job=\"x\"} => 1\n");
  EXPECT_EQ(Instant("absent(m)", 0), "");
}

}  // namespace
}  // namespace cistern::promql

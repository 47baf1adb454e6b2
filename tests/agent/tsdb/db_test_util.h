// The Db test fixture: a temporary data directory, options without the
// background thread, appending and reading helpers.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "agent/tsdb/db.h"
#include "tests/agent/tsdb/head_test_util.h"
#include "tests/testing/metric_value.h"
#include "tests/testing/temp_dir.h"

namespace cistern::tsdb::testing {

inline constexpr int64_t kMin = 60 * 1000;
inline constexpr int64_t kH = 60 * kMin;

class DbTest : public ::testing::Test {
 protected:
  DbOptions Options() {
    DbOptions o;
    o.dir = dir_.path();
    o.background = false;
    o.out_of_order_window_ms = 0;
    o.retention_ms = 0;
    o.registry = &registry_;
    return o;
  }
  std::unique_ptr<Db> OpenDb(DbOptions o) {
    auto db = Db::Open(std::move(o));
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  static Status AppendSeries(
      Db* db, const model::Labels& l, int64_t from, int64_t to, int64_t step,
      double (*value)(int64_t) = [](int64_t t) { return t / 1000.0; }) {
    auto app = db->NewAppender();
    storage::SeriesRef ref = 0;
    for (int64_t t = from; t < to; t += step) {
      CISTERN_ASSIGN_OR_RETURN(ref, app->Append(ref, l, t, value(t)));
    }
    return app->Commit();
  }
  static Result Read(Db* db, std::vector<storage::LabelMatcher> ms, int64_t mint = storage::kMinTime,
                     int64_t maxt = storage::kMaxTime) {
    auto q = db->NewQuerier(mint, maxt);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    auto set = (*q)->Select(true, nullptr, ms);
    Result r = ReadSet(set.get());
    EXPECT_TRUE((*q)->Close().ok());
    return r;
  }
  double Metric(const std::string& line) { return cistern::testing::MetricValue(registry_, line); }

  cistern::testing::TempDir dir_;
  obs::Registry registry_;
};

inline model::Labels L(const std::string& name, const std::string& inst) {
  return model::Labels{{"__name__", name}, {"instance", inst}};
}

}  // namespace cistern::tsdb::testing

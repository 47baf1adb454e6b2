// Arbitrary bytes as a PromQL query, evaluated against a small fixed data set
// (counters with a reset, gauges with NaN and Inf, a classic histogram, gaps,
// a staleness marker) as an instant query at a few times and as a range
// query: the engine must answer or fail with a Status, never crash, hang or
// exhaust memory (max_samples and a short timeout bound every query).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "agent/model/sample.h"
#include "agent/promql/engine.h"
#include "agent/promql/parser.h"
#include "agent/tsdb/head.h"

namespace {

using cistern::model::Labels;

cistern::tsdb::Head* Data() {
  static cistern::tsdb::Head* head = [] {
    auto* h = new cistern::tsdb::Head();
    auto app = h->NewAppender();
    const int64_t step = 15000;
    for (int i = 0; i < 80; ++i) {
      const int64_t t = i * step;
      for (int j = 0; j < 3; ++j) {
        std::string inst = "host" + std::to_string(j);
        (void)app->Append(0, Labels{{"__name__", "req_total"}, {"instance", inst}, {"code", "200"}}, t,
                          (i < 50 ? i : i - 50) * (j + 1.5));
        if (i % 7 != 3) (void)app->Append(0, Labels{{"__name__", "temp"}, {"instance", inst}}, t, std::sin(i + j) * 40);
        for (const char* le : {"0.1", "0.5", "1", "+Inf"})
          (void)app->Append(0, Labels{{"__name__", "lat_bucket"}, {"instance", inst}, {"le", le}}, t,
                            i * (j + 1) * (le[0] == '+' ? 4.0 : std::atof(le) * 3));
      }
      double odd = i == 10 ? std::nan("") : i == 20 ? std::numeric_limits<double>::infinity() : -i;
      (void)app->Append(0, Labels{{"__name__", "odd"}}, t, i == 60 ? cistern::model::StaleNaN() : odd);
    }
    (void)app->Commit();
    return h;
  }();
  return head;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 2048) return 0;
  std::string_view q(reinterpret_cast<const char*>(data), size);
  auto expr = cistern::promql::ParseExpr(q);
  if (!expr.ok()) return 0;
  cistern::promql::EngineOptions o;
  o.max_samples = 200000;
  o.timeout_ms = 2000;
  cistern::promql::Engine engine(o);
  for (int64_t t : {0L, 600000L, 1185000L, 5000000L}) (void)engine.Instant(*Data(), **expr, t);
  (void)engine.Range(*Data(), **expr, 0, 1200000, 30000);
  (void)engine.Range(*Data(), **expr, 100000, 100000, 1000);
  return 0;
}

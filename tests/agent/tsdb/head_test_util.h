// Helpers for the head tests: label shorthands and reading whole query
// results into plain maps.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "agent/storage/series_list.h"
#include "agent/tsdb/head.h"

namespace cistern::tsdb::testing {

inline model::Labels Metric(const std::string& name, const std::string& inst = "1") {
  return model::Labels{{"__name__", name}, {"instance", inst}};
}

inline storage::LabelMatcher Eq(const std::string& n, const std::string& v) {
  return *storage::LabelMatcher::Make(storage::MatchType::kEqual, n, v);
}
inline storage::LabelMatcher Re(const std::string& n, const std::string& v) {
  return *storage::LabelMatcher::Make(storage::MatchType::kRegexp, n, v);
}

using Result = std::map<std::string, std::vector<std::pair<int64_t, double>>>;  // labels -> samples

inline Result ReadSet(storage::SeriesSet* set) {
  Result out;
  while (set->Next()) {
    auto it = set->At()->Iterator();
    auto& v = out[set->At()->Labels().ToString()];
    for (const model::Sample& s : storage::ReadAll(it.get())) v.emplace_back(s.timestamp_ms, s.value);
    EXPECT_TRUE(it->Err().ok()) << it->Err().ToString();
  }
  EXPECT_TRUE(set->Err().ok()) << set->Err().ToString();
  return out;
}

inline Result Query(Head& head, std::vector<storage::LabelMatcher> ms, int64_t mint = storage::kMinTime,
                    int64_t maxt = storage::kMaxTime) {
  auto q = head.NewQuerier(mint, maxt);
  EXPECT_TRUE(q.ok());
  auto set = (*q)->Select(true, nullptr, ms);
  Result r = ReadSet(set.get());
  EXPECT_TRUE((*q)->Close().ok());
  return r;
}

inline std::vector<std::pair<int64_t, double>> QueryOne(Head& head, const std::string& name,
                                                        int64_t mint = storage::kMinTime,
                                                        int64_t maxt = storage::kMaxTime) {
  Result r = Query(head, {Eq("__name__", name)}, mint, maxt);
  if (r.empty()) return {};
  EXPECT_EQ(r.size(), 1u);
  return r.begin()->second;
}

inline Status AppendOne(Head& head, const model::Labels& l, int64_t t, double v) {
  auto app = head.NewAppender();
  auto ref = app->Append(0, l, t, v);
  if (!ref.ok()) {
    app->Rollback();
    return ref.status();
  }
  return app->Commit();
}

}  // namespace cistern::tsdb::testing

#include "agent/tsdb/postings.h"

#include <algorithm>
#include <map>
#include <string>

namespace cistern::tsdb {

Postings Intersect(std::span<const Postings> lists) {
  if (lists.empty()) return {};
  size_t shortest = 0;
  for (size_t i = 1; i < lists.size(); ++i) {
    if (lists[i].size() < lists[shortest].size()) shortest = i;
  }
  Postings out = lists[shortest];
  for (size_t i = 0; i < lists.size() && !out.empty(); ++i) {
    if (i == shortest) continue;
    const Postings& other = lists[i];
    auto from = other.begin();
    size_t kept = 0;
    for (storage::SeriesRef ref : out) {
      from = std::lower_bound(from, other.end(), ref);
      if (from == other.end()) break;
      if (*from == ref) out[kept++] = ref;
    }
    out.resize(kept);
  }
  return out;
}

Postings Union(std::span<const Postings> lists) {
  if (lists.empty()) return {};
  if (lists.size() == 1) return lists[0];
  if (lists.size() == 2) {
    Postings out;
    out.reserve(lists[0].size() + lists[1].size());
    std::set_union(lists[0].begin(), lists[0].end(), lists[1].begin(), lists[1].end(),
                   std::back_inserter(out));
    return out;
  }
  Postings out;
  size_t n = 0;
  for (const Postings& l : lists) n += l.size();
  out.reserve(n);
  for (const Postings& l : lists) out.insert(out.end(), l.begin(), l.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Postings Without(const Postings& a, const Postings& b) {
  Postings out;
  out.reserve(a.size());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

namespace {

// Series whose value of m.name() satisfies m (only series that have the label).
Postings PostingsForMatcher(const IndexReader& ix, const storage::LabelMatcher& m) {
  if (m.type() == storage::MatchType::kEqual) return ix.Get(m.name(), m.value());
  if (m.type() == storage::MatchType::kRegexp && !m.SetMatches().empty()) {
    std::vector<Postings> lists;
    for (const std::string& v : m.SetMatches()) lists.push_back(ix.Get(m.name(), v));
    return Union(lists);
  }
  return ix.Matching(m.name(), [&m](std::string_view v) { return m.Matches(v); });
}

// Series that have the label with a value NOT satisfying m.
Postings InversePostingsForMatcher(const IndexReader& ix, const storage::LabelMatcher& m) {
  return ix.Matching(m.name(), [&m](std::string_view v) { return !m.Matches(v); });
}

}  // namespace

Postings PostingsForMatchers(const IndexReader& ix, std::span<const storage::LabelMatcher> matchers) {
  std::vector<Postings> its, not_its;
  std::map<std::string_view, bool> must_be_set;
  for (const auto& m : matchers) {
    if (!m.Matches("")) must_be_set[m.name()] = true;
  }
  for (const auto& m : matchers) {
    bool is_not = m.type() == storage::MatchType::kNotEqual || m.type() == storage::MatchType::kNotRegexp;
    if (must_be_set.count(m.name())) {
      bool matches_empty = m.Matches("");
      if (is_not && matches_empty) {  // x!="a" with x set elsewhere: subtract x="a"
        not_its.push_back(PostingsForMatcher(ix, m.Inverse()));
      } else if (is_not && !matches_empty) {  // x!="": values that are not ""
        its.push_back(InversePostingsForMatcher(ix, m.Inverse()));
      } else {  // x="a", x=~"a.*"
        its.push_back(PostingsForMatcher(ix, m));
      }
    } else {  // matches "": subtract the series whose value does not match
      not_its.push_back(InversePostingsForMatcher(ix, m));
    }
  }
  if (its.empty() && !not_its.empty()) its.push_back(ix.All());
  Postings out = Intersect(its);
  for (const Postings& n : not_its) {
    if (out.empty()) break;
    out = Without(out, n);
  }
  return out;
}

}  // namespace cistern::tsdb

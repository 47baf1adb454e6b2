// Postings: sorted lists of series refs, the set operations on them, and
// PostingsForMatchers, which turns a selector's matchers into postings with
// Prometheus' semantics (tsdb/querier.go of 2.42):
//   - a matcher that matches "" (`x=""`, `x!="a"`, `x=~"a|"`, `x!~".+"`) also
//     selects series without the label: it is applied by subtracting the
//     series whose value does NOT match;
//   - `x!=""` / `x=~".+"` (must be set) selects the union of x's values;
//   - `=` and `=~"a|b"` (literal set) look the values up directly; other
//     regexes scan the label's values, never the series;
//   - with only subtractive matchers, everything minus them.
// Pure functions over values; thread-safe as far as the IndexReader is.
#pragma once

#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "agent/storage/appender.h"
#include "agent/storage/label_matcher.h"

namespace cistern::tsdb {

using Postings = std::vector<storage::SeriesRef>;  // sorted, unique

// Refs in every list. Starts from the shortest list; binary-searches (with a
// moving lower bound) the others. No lists: empty.
Postings Intersect(std::span<const Postings> lists);
// Refs in any list.
Postings Union(std::span<const Postings> lists);
// Refs of `a` that are not in `b`.
Postings Without(const Postings& a, const Postings& b);

// What PostingsForMatchers needs from an index (the head's MemPostings now,
// a block's index later).
class IndexReader {
 public:
  virtual ~IndexReader() = default;
  // Series with label name=value.
  virtual Postings Get(std::string_view name, std::string_view value) const = 0;
  // Union over the values of `name` for which `match(value)` is true.
  virtual Postings Matching(std::string_view name,
                            const std::function<bool(std::string_view)>& match) const = 0;
  // Every series.
  virtual Postings All() const = 0;
};

Postings PostingsForMatchers(const IndexReader& ix, std::span<const storage::LabelMatcher> matchers);

}  // namespace cistern::tsdb

// LabelMatcher: one `name op "value"` term of a PromQL selector
// (=, !=, =~, !~). Regexes use RE2 (Go's syntax, as Prometheus) and are fully
// anchored: `=~"foo"` matches "foo" only, not "xfoo". A label that is absent
// has the value "" (so `{x=""}` and `{x!~".+"}` select series without x).
//
// Immutable value type after Make(); copies share the compiled regex;
// Matches() is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace re2 {
class RE2;
}

namespace cistern::storage {

enum class MatchType { kEqual, kNotEqual, kRegexp, kNotRegexp };

// "=", "!=", "=~", "!~".
std::string_view MatchTypeString(MatchType type);

class LabelMatcher;
// __name__=~".+": every series (all series have a metric name), for whole-store
// reads such as block writes, compaction and inspection.
LabelMatcher MatchAllSeries();

class LabelMatcher {
 public:
  // InvalidArgument for a regex RE2 rejects:
  //   `matcher {job=~"("}: invalid regex: missing ): (`.
  static StatusOr<LabelMatcher> Make(MatchType type, std::string name, std::string value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  // Whether a label with value `v` ("" when absent) satisfies the matcher.
  bool Matches(std::string_view v) const;

  // The matcher with the opposite type (= <-> !=, =~ <-> !~), same regex.
  LabelMatcher Inverse() const;

  // For =~ over a plain alternation of literals ("a|b|c", "a"): the literal
  // values, so the index can look them up instead of scanning every value.
  // Empty for other regexes and types.
  const std::vector<std::string>& SetMatches() const { return set_matches_; }

  // `{name="value"}`, `{name=~"value"}` (value quoted like PromQL).
  std::string ToString() const;

 private:
  LabelMatcher() = default;

  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // =~, !~ only
  // Shortcuts that skip the regex engine.
  enum class Shortcut : uint8_t { kNone, kAny, kNonEmpty, kLiteral } shortcut_ = Shortcut::kNone;
  std::vector<std::string> set_matches_;
};

}  // namespace cistern::storage

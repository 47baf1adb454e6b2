#include "agent/storage/label_matcher.h"

#include <re2/re2.h>

#include "agent/model/labels.h"

namespace cistern::storage {
namespace {

bool IsMeta(char c) {
  switch (c) {
    case '.':
    case '+':
    case '*':
    case '?':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '^':
    case '$':
    case '|':
    case '\\':
      return true;
    default:
      return false;
  }
}

// "a|b\.c" -> {"a", "b.c"}; false when the regex is anything but an
// alternation of literals (escaped punctuation allowed).
bool FindSetMatches(std::string_view re, std::vector<std::string>* out) {
  std::vector<std::string> set(1);
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '|') {
      set.emplace_back();
    } else if (c == '\\') {
      if (i + 1 >= re.size() || !IsMeta(re[i + 1])) return false;  // \d, \w, ... are classes
      set.back().push_back(re[++i]);
    } else if (IsMeta(c)) {
      return false;
    } else {
      set.back().push_back(c);
    }
  }
  *out = std::move(set);
  return true;
}

}  // namespace

std::string_view MatchTypeString(MatchType type) {
  switch (type) {
    case MatchType::kEqual:
      return "=";
    case MatchType::kNotEqual:
      return "!=";
    case MatchType::kRegexp:
      return "=~";
    case MatchType::kNotRegexp:
      return "!~";
  }
  return "?";
}

StatusOr<LabelMatcher> LabelMatcher::Make(MatchType type, std::string name, std::string value) {
  LabelMatcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (type == MatchType::kRegexp || type == MatchType::kNotRegexp) {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<const RE2>("^(?:" + m.value_ + ")$", opts);
    if (!re->ok()) {
      return InvalidArgumentError("matcher " + m.ToString() + ": invalid regex: " + re->error());
    }
    m.re_ = std::move(re);
    if (m.value_ == ".*") {
      m.shortcut_ = Shortcut::kAny;
    } else if (m.value_ == ".+") {
      m.shortcut_ = Shortcut::kNonEmpty;
    } else if (FindSetMatches(m.value_, &m.set_matches_)) {
      if (m.set_matches_.size() == 1) m.shortcut_ = Shortcut::kLiteral;
      if (type == MatchType::kNotRegexp) m.set_matches_.clear();  // only =~ looks values up
    }
  }
  return m;
}

bool LabelMatcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual:
      return v == value_;
    case MatchType::kNotEqual:
      return v != value_;
    case MatchType::kRegexp:
    case MatchType::kNotRegexp:
      break;
  }
  bool match;
  switch (shortcut_) {
    // RE2's '.' does not match '\n' (as in Go): the shortcuts keep that.
    case Shortcut::kAny:
      match = v.find('\n') == std::string_view::npos;
      break;
    case Shortcut::kNonEmpty:
      match = !v.empty() && v.find('\n') == std::string_view::npos;
      break;
    case Shortcut::kLiteral:
      match = v == set_matches_[0];
      break;
    default:
      match = RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
      break;
  }
  return type_ == MatchType::kRegexp ? match : !match;
}

LabelMatcher LabelMatcher::Inverse() const {
  LabelMatcher m = *this;
  switch (type_) {
    case MatchType::kEqual:
      m.type_ = MatchType::kNotEqual;
      break;
    case MatchType::kNotEqual:
      m.type_ = MatchType::kEqual;
      break;
    case MatchType::kRegexp:
      m.type_ = MatchType::kNotRegexp;
      m.set_matches_.clear();
      break;
    case MatchType::kNotRegexp:
      m.type_ = MatchType::kRegexp;
      FindSetMatches(value_, &m.set_matches_);
      if (shortcut_ == Shortcut::kAny || shortcut_ == Shortcut::kNonEmpty) m.set_matches_.clear();
      break;
  }
  return m;
}

std::string LabelMatcher::ToString() const {
  std::string out = "{" + name_;
  out += MatchTypeString(type_);
  out += '"';
  for (char c : value_) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  out += "\"}";
  return out;
}

LabelMatcher MatchAllSeries() {
  return *LabelMatcher::Make(MatchType::kRegexp, std::string(model::kMetricName), ".+");
}

}  // namespace cistern::storage

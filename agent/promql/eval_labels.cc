// label_replace() and label_join(): Go regexp semantics (fully anchored
// RE2, regexp.Expand's $1 / ${name} templates) and Prometheus' checks.
#include <re2/re2.h>

#include <string>
#include <string_view>
#include <utility>

#include "agent/promql/eval_functions.h"
#include "agent/promql/go_regexp.h"

namespace cistern::promql {
namespace {

// ---- label_replace's template expansion (Go's regexp.Expand) ---------------

// unicode.IsLetter || unicode.IsDigit for the UTF-8 rune at s[i]; sets
// *size. Invalid UTF-8 decodes as U+FFFD, neither.
bool IsGoNameRune(std::string_view s, size_t i, size_t* size) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *size = 1;
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (len == 1 || i + len > s.size()) {
    *size = 1;
    return false;
  }
  static const RE2* const kLetterOrDigit = new RE2("[\\p{L}\\p{Nd}]");
  if (!RE2::FullMatch(s.substr(i, len), *kLetterOrDigit)) {
    *size = 1;
    return false;
  }
  *size = len;
  return true;
}

// regexp.extract: a group name or number after '$'.
bool ExtractGroupRef(std::string_view str, std::string_view* name, int* num, std::string_view* rest) {
  if (str.empty()) return false;
  bool brace = false;
  if (str[0] == '{') {
    brace = true;
    str.remove_prefix(1);
  }
  size_t i = 0;
  while (i < str.size()) {
    size_t size;
    if (!IsGoNameRune(str, i, &size)) break;
    i += size;
  }
  if (i == 0) return false;
  *name = str.substr(0, i);
  if (brace) {
    if (i >= str.size() || str[i] != '}') return false;
    ++i;
  }
  *num = 0;
  for (char c : *name) {
    if (c < '0' || c > '9' || *num >= 100000000) {
      *num = -1;
      break;
    }
    *num = *num * 10 + (c - '0');
  }
  if ((*name)[0] == '0' && name->size() > 1) *num = -1;
  *rest = str.substr(i);
  return true;
}

bool ValidLabelName(std::string_view name) { return model::IsValidLabelName(name); }

}  // namespace

struct LabelReplacer::Impl {
  std::string dst, replacement, src;
  RE2 re;
  int groups = 0;
  Impl(std::string d, std::string r, std::string s, const std::string& pattern, const RE2::Options& opts)
      : dst(std::move(d)), replacement(std::move(r)), src(std::move(s)), re(pattern, opts) {}
};

StatusOr<LabelReplacer> LabelReplacer::Make(std::string dst, std::string replacement, std::string src,
                                            std::string_view regex) {
  std::string message = "invalid regular expression in label_replace(): " + std::string(regex);
  if (GoRegexpError(regex).has_value()) return InvalidArgumentError(message);
  RE2::Options opts;
  opts.set_log_errors(false);
  auto impl = std::make_shared<Impl>(std::move(dst), std::move(replacement), std::move(src),
                                     "^(?:" + std::string(regex) + ")$", opts);
  if (!impl->re.ok()) return InvalidArgumentError(message);
  if (!ValidLabelName(impl->dst)) {
    return InvalidArgumentError("invalid destination label name in label_replace(): " + impl->dst);
  }
  impl->groups = impl->re.NumberOfCapturingGroups() + 1;
  LabelReplacer r;
  r.impl_ = std::move(impl);
  return r;
}

model::Labels LabelReplacer::Apply(const model::Labels& in) const {
  const Impl& im = *impl_;
  std::string_view src = in.Get(im.src);
  std::vector<re2::StringPiece> match(static_cast<size_t>(im.groups));
  if (!im.re.Match(src, 0, src.size(), RE2::UNANCHORED, match.data(), im.groups)) return in;

  // regexp.Expand: $$ is '$'; $name / ${name} / $1 / ${1} insert a group
  // (nothing when absent or unmatched); a malformed reference is literal.
  std::string res;
  std::string_view tmpl = im.replacement;
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    res.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      res.push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view name, rest;
    int num;
    if (!ExtractGroupRef(tmpl, &name, &num, &rest)) {
      res.push_back('$');
      continue;
    }
    tmpl = rest;
    if (num >= 0) {
      if (num < im.groups)
        res.append(match[static_cast<size_t>(num)].data(), match[static_cast<size_t>(num)].size());
    } else {
      const auto& names = im.re.NamedCapturingGroups();
      auto it = names.find(std::string(name));
      if (it != names.end() && it->second < im.groups) {
        const re2::StringPiece& g = match[static_cast<size_t>(it->second)];
        res.append(g.data(), g.size());
      }
    }
  }
  res.append(tmpl);

  model::LabelsBuilder b(in);
  b.Del(im.dst);
  if (!res.empty()) b.Set(im.dst, res);
  return b.Build();
}

StatusOr<LabelJoiner> LabelJoiner::Make(std::string dst, std::string separator,
                                        std::vector<std::string> srcs) {
  for (const std::string& s : srcs) {
    if (!ValidLabelName(s)) return InvalidArgumentError("invalid source label name in label_join(): " + s);
  }
  if (!ValidLabelName(dst))
    return InvalidArgumentError("invalid destination label name in label_join(): " + dst);
  LabelJoiner j;
  j.dst_ = std::move(dst);
  j.sep_ = std::move(separator);
  j.srcs_ = std::move(srcs);
  return j;
}

model::Labels LabelJoiner::Apply(const model::Labels& in) const {
  std::string joined;
  for (size_t i = 0; i < srcs_.size(); ++i) {
    if (i > 0) joined.append(sep_);
    joined.append(in.Get(srcs_[i]));
  }
  model::LabelsBuilder b(in);
  if (joined.empty()) {
    b.Del(dst_);
  } else {
    b.Set(dst_, joined);
  }
  return b.Build();
}

}  // namespace cistern::promql


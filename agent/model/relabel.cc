#include "agent/model/relabel.h"

#include <openssl/evp.h>
#include <re2/re2.h>

#include <cctype>
#include <map>

namespace cistern::model {

namespace {

constexpr struct {
  std::string_view name;
  RelabelAction action;
} kActions[] = {
    {"replace", RelabelAction::kReplace},     {"keep", RelabelAction::kKeep},
    {"drop", RelabelAction::kDrop},           {"keepequal", RelabelAction::kKeepEqual},
    {"dropequal", RelabelAction::kDropEqual}, {"hashmod", RelabelAction::kHashMod},
    {"labelmap", RelabelAction::kLabelMap},   {"labeldrop", RelabelAction::kLabelDrop},
    {"labelkeep", RelabelAction::kLabelKeep}, {"lowercase", RelabelAction::kLowercase},
    {"uppercase", RelabelAction::kUppercase},
};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The low 8 bytes of md5(s), big-endian: Prometheus' sum64(md5.Sum(s)).
uint64_t Md5Sum64(std::string_view s) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), digest, &len, EVP_md5(), nullptr);
  uint64_t v = 0;
  for (int i = 8; i < 16; ++i) v = (v << 8) | digest[i];
  return v;
}

}  // namespace

struct Relabeler::Compiled {
  RelabelRule rule;
  std::unique_ptr<RE2> re;
  std::map<std::string, int> named;  // named groups

  // Go's Regexp.Expand over `groups` (group 0 = whole match).
  std::string Expand(std::string_view tmpl, const std::vector<re2::StringPiece>& groups) const {
    std::string out;
    size_t i = 0;
    while (i < tmpl.size()) {
      char c = tmpl[i];
      if (c != '$') {
        out.push_back(c);
        ++i;
        continue;
      }
      if (i + 1 < tmpl.size() && tmpl[i + 1] == '$') {
        out.push_back('$');
        i += 2;
        continue;
      }
      // Extract a name: ${name} or $name (longest run of [A-Za-z0-9_]).
      size_t j = i + 1;
      bool brace = j < tmpl.size() && tmpl[j] == '{';
      if (brace) ++j;
      size_t start = j;
      while (j < tmpl.size() && IsNameChar(tmpl[j])) ++j;
      std::string_view name = tmpl.substr(start, j - start);
      bool ok = !name.empty();
      if (brace) {
        if (j >= tmpl.size() || tmpl[j] != '}') ok = false;
        ++j;
      }
      if (!ok) {  // malformed: the '$' is literal
        out.push_back('$');
        ++i;
        continue;
      }
      i = j;
      bool numeric = true;
      for (char d : name) numeric &= d >= '0' && d <= '9';
      int index = -1;
      if (numeric) {
        if (name.size() < 9) index = std::stoi(std::string(name));
      } else if (auto it = named.find(std::string(name)); it != named.end()) {
        index = it->second;
      }
      if (index >= 0 && static_cast<size_t>(index) < groups.size() && groups[index].data() != nullptr) {
        out.append(groups[index].data(), groups[index].size());
      }
    }
    return out;
  }

  // Matches `value` fully; fills groups (0..n).
  bool Match(std::string_view value, std::vector<re2::StringPiece>* groups) const {
    groups->assign(1 + re->NumberOfCapturingGroups(), re2::StringPiece());
    return re->Match(re2::StringPiece(value.data(), value.size()), 0, value.size(), RE2::UNANCHORED,
                     groups->data(), static_cast<int>(groups->size()));
  }
  bool Matches(std::string_view value) const {
    return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *re);
  }
};

StatusOr<RelabelAction> ParseRelabelAction(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& a : kActions) {
    if (a.name == lower) return a.action;
  }
  return InvalidArgumentError("unknown relabel action \"" + std::string(name) +
                              "\" (replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, "
                              "labelkeep, lowercase, uppercase)");
}

std::string_view RelabelActionName(RelabelAction action) {
  for (const auto& a : kActions) {
    if (a.action == action) return a.name;
  }
  return "replace";
}

Relabeler::Relabeler() = default;
Relabeler::~Relabeler() = default;
Relabeler::Relabeler(Relabeler&&) noexcept = default;
Relabeler& Relabeler::operator=(Relabeler&&) noexcept = default;
bool Relabeler::empty() const { return rules_.empty(); }

StatusOr<Relabeler> Relabeler::Compile(const std::vector<RelabelRule>& rules) {
  Relabeler r;
  for (size_t i = 0; i < rules.size(); ++i) {
    const RelabelRule& rule = rules[i];
    std::string where = "rule " + std::to_string(i) + " (" + std::string(RelabelActionName(rule.action)) + ")";
    auto c = std::make_unique<Compiled>();
    c->rule = rule;
    RE2::Options opts;
    opts.set_log_errors(false);
    c->re = std::make_unique<RE2>("^(?:" + rule.regex + ")$", opts);
    if (!c->re->ok()) {
      return InvalidArgumentError(where + ": invalid regex \"" + rule.regex + "\": " + c->re->error());
    }
    for (const auto& [name, index] : c->re->NamedCapturingGroups()) c->named[name] = index;
    switch (rule.action) {
      case RelabelAction::kReplace:
      case RelabelAction::kHashMod:
      case RelabelAction::kLowercase:
      case RelabelAction::kUppercase:
      case RelabelAction::kKeepEqual:
      case RelabelAction::kDropEqual:
        if (rule.target_label.empty()) return InvalidArgumentError(where + ": target_label is required");
        break;
      default:
        break;
    }
    if (rule.action == RelabelAction::kHashMod && rule.modulus == 0) {
      return InvalidArgumentError(where + ": modulus must be > 0");
    }
    if ((rule.action == RelabelAction::kHashMod || rule.action == RelabelAction::kLowercase ||
         rule.action == RelabelAction::kUppercase || rule.action == RelabelAction::kKeepEqual ||
         rule.action == RelabelAction::kDropEqual) &&
        !IsValidLabelName(rule.target_label)) {
      return InvalidArgumentError(where + ": invalid target_label \"" + rule.target_label + "\"");
    }
    if ((rule.action == RelabelAction::kLabelDrop || rule.action == RelabelAction::kLabelKeep) &&
        (!rule.source_labels.empty() || !rule.target_label.empty())) {
      return InvalidArgumentError(where + ": source_labels and target_label are not allowed");
    }
    r.rules_.push_back(std::move(c));
  }
  return r;
}

bool Relabeler::Apply(Labels* labels) const {
  if (rules_.empty()) return !labels->empty();
  LabelsBuilder b(*labels);
  std::vector<re2::StringPiece> groups;
  std::string val;
  for (const auto& cp : rules_) {
    const Compiled& c = *cp;
    const RelabelRule& rule = c.rule;
    val.clear();
    for (size_t i = 0; i < rule.source_labels.size(); ++i) {
      if (i) val += rule.separator;
      val += b.Get(rule.source_labels[i]);
    }
    switch (rule.action) {
      case RelabelAction::kDrop:
        if (c.Matches(val)) return false;
        break;
      case RelabelAction::kKeep:
        if (!c.Matches(val)) return false;
        break;
      case RelabelAction::kKeepEqual:
        if (b.Get(rule.target_label) != val) return false;
        break;
      case RelabelAction::kDropEqual:
        if (b.Get(rule.target_label) == val) return false;
        break;
      case RelabelAction::kReplace: {
        if (!c.Match(val, &groups)) break;
        std::string target = c.Expand(rule.target_label, groups);
        if (!IsValidLabelName(target)) break;
        std::string res = c.Expand(rule.replacement, groups);
        b.Set(target, res);  // empty deletes
        break;
      }
      case RelabelAction::kLowercase:
      case RelabelAction::kUppercase: {
        for (char& ch : val) {
          ch = static_cast<char>(rule.action == RelabelAction::kLowercase
                                     ? std::tolower(static_cast<unsigned char>(ch))
                                     : std::toupper(static_cast<unsigned char>(ch)));
        }
        b.Set(rule.target_label, val);
        break;
      }
      case RelabelAction::kHashMod:
        b.Set(rule.target_label, std::to_string(Md5Sum64(val) % rule.modulus));
        break;
      case RelabelAction::kLabelMap: {
        Labels snapshot = b.Build();
        for (const Label& l : snapshot) {
          if (!c.Match(l.name, &groups)) continue;
          b.Set(c.Expand(rule.replacement, groups), l.value);
        }
        break;
      }
      case RelabelAction::kLabelDrop:
      case RelabelAction::kLabelKeep: {
        Labels snapshot = b.Build();
        for (const Label& l : snapshot) {
          bool m = c.Matches(l.name);
          if (m == (rule.action == RelabelAction::kLabelDrop)) b.Del(l.name);
        }
        break;
      }
    }
  }
  *labels = b.Build();
  return !labels->empty();
}

}  // namespace cistern::model

// Prometheus relabeling (relabel_configs, metric_relabel_configs,
// write_relabel_configs): one implementation for remote-write and scrape.
//
// Semantics follow Prometheus 2.42: source label values joined by
// `separator` are matched against `regex`, which is fully anchored
// (^(?:regex)$, RE2 syntax, as Go's regexp); `replacement` and `target_label`
// expand $1, ${1}, $name, ${name} like Go's Regexp.Expand ($1x means the
// group named "1x"; use ${1}x); a replace that yields an empty value deletes
// the target label; a series left with no labels is dropped.
// A compiled Relabeler is immutable and thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/model/labels.h"

namespace cistern::model {

enum class RelabelAction {
  kReplace,
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};

StatusOr<RelabelAction> ParseRelabelAction(std::string_view name);
std::string_view RelabelActionName(RelabelAction action);

struct RelabelRule {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string target_label;
  std::string regex = "(.*)";
  uint64_t modulus = 0;
  std::string replacement = "$1";
  RelabelAction action = RelabelAction::kReplace;
};

class Relabeler {
 public:
  // Compiles and checks the rules (regex syntax, required fields per action).
  // Errors name the rule index: "rule 2 (hashmod): modulus must be > 0".
  static StatusOr<Relabeler> Compile(const std::vector<RelabelRule>& rules);

  Relabeler();
  ~Relabeler();
  Relabeler(Relabeler&&) noexcept;
  Relabeler& operator=(Relabeler&&) noexcept;

  // Applies every rule in order. Returns false if the series is dropped
  // (`*labels` is then unspecified).
  bool Apply(Labels* labels) const;
  bool empty() const;

 private:
  struct Compiled;
  std::vector<std::unique_ptr<Compiled>> rules_;
};

}  // namespace cistern::model

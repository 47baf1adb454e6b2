// Labels: the identity of a series. A sorted (by name), duplicate-free list of
// name/value pairs; "__name__" holds the metric name. Value type,
// thread-compatible. LabelsBuilder is the one place labels are assembled.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"

namespace cistern::model {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

class Labels {
 public:
  Labels() = default;
  // Sorts by name. Duplicate names are kept (Validate() reports them); use
  // LabelsBuilder to overwrite instead.
  Labels(std::initializer_list<Label> labels);
  static Labels FromSorted(std::vector<Label> labels) {
    Labels l;
    l.labels_ = std::move(labels);
    return l;
  }
  static Labels FromUnsorted(std::vector<Label> labels);
  // Replaces the labels with `pairs` (anything with .name and .value viewable
  // as strings), in the given order, reusing this object's string capacity:
  // no allocation when it held labels at least as long before (decoders
  // reuse one Labels per thread). Order and duplicates are as given.
  template <typename Range>
  void AssignInOrder(const Range& pairs) {
    size_t n = 0;
    for (const auto& p : pairs) {
      if (n == labels_.size()) labels_.emplace_back();
      labels_[n].name.assign(p.name.data(), p.name.size());
      labels_[n].value.assign(p.value.data(), p.value.size());
      ++n;
    }
    labels_.resize(n);
  }

  // Value of `name`, or empty when absent (Prometheus semantics: absent == "").
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricName); }

  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  auto begin() const { return labels_.begin(); }
  auto end() const { return labels_.end(); }
  const Label& operator[](size_t i) const { return labels_[i]; }
  const std::vector<Label>& vec() const { return labels_; }

  // Stable 64-bit hash of names and values (xxhash-like; stable across runs).
  uint64_t Hash() const;

  // Prometheus form: metric{a="b", c="d"}; without metric name: {a="b"}.
  std::string ToString() const;

  // Checks names (legacy Prometheus charset, not starting with "__" except
  // __name__ is allowed anywhere), sortedness, duplicates, empty values
  // (labels with empty values must be dropped), UTF-8 of values.
  Status Validate() const;

  friend bool operator==(const Labels&, const Labels&) = default;
  friend auto operator<=>(const Labels& a, const Labels& b) { return a.labels_ <=> b.labels_; }

 private:
  std::vector<Label> labels_;
};

// Builds Labels from a base set plus overrides; Set("x", "") deletes x.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base) { Reset(base); }
  void Reset(const Labels& base);
  LabelsBuilder& Set(std::string_view name, std::string_view value);
  LabelsBuilder& Del(std::string_view name) { return Set(name, ""); }
  std::string_view Get(std::string_view name) const;
  Labels Build() const;

 private:
  std::vector<Label> labels_;  // sorted
};

// Metric / label name charsets of Prometheus' text and remote-write formats.
bool IsValidMetricName(std::string_view name);  // [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidLabelName(std::string_view name);   // [a-zA-Z_][a-zA-Z0-9_]*

}  // namespace cistern::model

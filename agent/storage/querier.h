// The read side of every store: Queryable -> Querier -> SeriesSet -> Series ->
// SampleIterator. The PromQL engine, the HTTP API and federation read only
// through these interfaces; the TSDB head, on-disk blocks and merges of them
// implement them (Prometheus' storage.Querier is the model).
//
// Ownership and threads:
//  - Queryable::NewQuerier() is thread-safe; each query takes its own Querier.
//  - A Querier, and the SeriesSets it returns, are used by one thread at a
//    time. SeriesSets must not outlive their Querier's Close().
//  - A Series handed out by SeriesSet::At() is shared: the caller may keep
//    the shared_ptr past Next(). Series::Iterator() may be called any number
//    of times; each iterator is independent and used by one thread at a time.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/model/labels.h"
#include "agent/model/sample.h"
#include "agent/storage/label_matcher.h"

namespace cistern::storage {

inline constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

// Iterates the samples of one series in strictly increasing timestamp order.
//
// Starts before the first sample: call Next() or Seek() first. Seek() never
// moves backwards: if the current sample already has timestamp >= t it stays
// put, so an engine stepping through a range can call Seek(step_start) at
// every step without re-reading. After Next()/Seek() returned false the
// iterator is exhausted (check Err()).
class SampleIterator {
 public:
  virtual ~SampleIterator() = default;
  // Advances to the next sample. False at the end or on error.
  virtual bool Next() = 0;
  // Advances to the first sample with timestamp >= t (or stays, see above).
  // False if there is none or on error.
  virtual bool Seek(int64_t t) = 0;
  // The current sample. Only valid after Next()/Seek() returned true.
  virtual model::Sample At() const = 0;
  virtual Status Err() const = 0;
};

class Series {
 public:
  virtual ~Series() = default;
  virtual const model::Labels& Labels() const = 0;
  virtual std::unique_ptr<SampleIterator> Iterator() const = 0;
};

class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  // Advances to the next series. False at the end or on error.
  virtual bool Next() = 0;
  // The current series; only valid after Next() returned true.
  virtual const std::shared_ptr<Series>& At() const = 0;
  virtual Status Err() const = 0;
  // Non-fatal problems (partial results), Prometheus' "warnings".
  virtual std::vector<std::string> Warnings() const { return {}; }
};

// Hints from the engine about how the selected data will be used. Stores may
// use [start_ms, end_ms] to narrow what they return (the TSDB trims samples to
// it); the rest is advisory.
struct SelectHints {
  int64_t start_ms = kMinTime;  // inclusive
  int64_t end_ms = kMaxTime;    // inclusive
  int64_t step_ms = 0;          // query step, 0 for instant queries
  int64_t range_ms = 0;         // range of a range-vector selector
  std::string func;             // surrounding function, e.g. "rate"
};

class Querier {
 public:
  virtual ~Querier() = default;

  // Series matching all `matchers` (AND) that have samples in the querier's
  // [mint, maxt] (or hints' [start, end] when given). With `sorted`, series
  // come in ascending label order (required for merging); otherwise in any
  // order. Errors surface through SeriesSet::Err(). No matchers selects
  // nothing (PromQL always has at least one).
  virtual std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints* hints,
                                            std::span<const LabelMatcher> matchers) = 0;

  // Sorted, unique values of label `name` over series matching `matchers`
  // (all series when empty).
  virtual StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                         std::span<const LabelMatcher> matchers) = 0;
  // Sorted, unique label names over series matching `matchers`.
  virtual StatusOr<std::vector<std::string>> LabelNames(std::span<const LabelMatcher> matchers) = 0;

  // Releases resources. The Querier may be destroyed afterwards.
  virtual Status Close() = 0;
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  // A Querier over [mint_ms, maxt_ms] (inclusive). Thread-safe.
  virtual StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t mint_ms, int64_t maxt_ms) = 0;
};

}  // namespace cistern::storage

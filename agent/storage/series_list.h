// In-memory implementations of the read interfaces: a sample iterator over a
// vector, a series holding its samples, a SeriesSet over a list, and the
// empty / failed sets. Used by stores for small buffers and by tests.
// Value types; thread-compatible.
#pragma once

#include <memory>
#include <vector>

#include "agent/storage/querier.h"

namespace cistern::storage {

// Iterates `samples`, which must be sorted by timestamp without duplicates.
class VectorSampleIterator final : public SampleIterator {
 public:
  explicit VectorSampleIterator(std::vector<model::Sample> samples) : samples_(std::move(samples)) {}
  bool Next() override;
  bool Seek(int64_t t) override;
  model::Sample At() const override { return samples_[pos_]; }
  Status Err() const override { return OkStatus(); }

 private:
  std::vector<model::Sample> samples_;
  size_t pos_ = static_cast<size_t>(-1);  // before the first
};

class ListSeries final : public Series {
 public:
  ListSeries(model::Labels labels, std::vector<model::Sample> samples)
      : labels_(std::move(labels)), samples_(std::move(samples)) {}
  const model::Labels& Labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<VectorSampleIterator>(samples_);
  }

 private:
  model::Labels labels_;
  std::vector<model::Sample> samples_;
};

// Hands out `series` in the given order.
std::unique_ptr<SeriesSet> NewListSeriesSet(std::vector<std::shared_ptr<Series>> series);
std::unique_ptr<SeriesSet> NewEmptySeriesSet();
// A set with no series whose Err() is `error`.
std::unique_ptr<SeriesSet> NewErrorSeriesSet(Status error);

// Drains an iterator (tests, small results). Stops at the first error.
std::vector<model::Sample> ReadAll(SampleIterator* it);

}  // namespace cistern::storage

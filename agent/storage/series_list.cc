#include "agent/storage/series_list.h"

#include <algorithm>

namespace cistern::storage {
namespace {

class ListSeriesSet final : public SeriesSet {
 public:
  ListSeriesSet(std::vector<std::shared_ptr<Series>> series, Status err)
      : series_(std::move(series)), err_(std::move(err)) {}
  bool Next() override { return ++pos_ < series_.size(); }
  const std::shared_ptr<Series>& At() const override { return series_[pos_]; }
  Status Err() const override { return err_; }

 private:
  std::vector<std::shared_ptr<Series>> series_;
  Status err_;
  size_t pos_ = static_cast<size_t>(-1);
};

}  // namespace

bool VectorSampleIterator::Next() {
  if (pos_ != samples_.size()) ++pos_;
  return pos_ < samples_.size();
}

bool VectorSampleIterator::Seek(int64_t t) {
  if (pos_ == static_cast<size_t>(-1)) pos_ = 0;
  if (pos_ >= samples_.size()) return false;
  if (samples_[pos_].timestamp_ms >= t) return true;
  pos_ = std::lower_bound(samples_.begin() + pos_, samples_.end(), t,
                          [](const model::Sample& s, int64_t ts) { return s.timestamp_ms < ts; }) -
         samples_.begin();
  return pos_ < samples_.size();
}

std::unique_ptr<SeriesSet> NewListSeriesSet(std::vector<std::shared_ptr<Series>> series) {
  return std::make_unique<ListSeriesSet>(std::move(series), OkStatus());
}
std::unique_ptr<SeriesSet> NewEmptySeriesSet() {
  return std::make_unique<ListSeriesSet>(std::vector<std::shared_ptr<Series>>{}, OkStatus());
}
std::unique_ptr<SeriesSet> NewErrorSeriesSet(Status error) {
  return std::make_unique<ListSeriesSet>(std::vector<std::shared_ptr<Series>>{}, std::move(error));
}

std::vector<model::Sample> ReadAll(SampleIterator* it) {
  std::vector<model::Sample> out;
  while (it->Next()) out.push_back(it->At());
  return out;
}

}  // namespace cistern::storage

#include "tests/testing/recording_appender.h"

namespace cistern::testing {

class RecordingAppender : public storage::Appender {
 public:
  explicit RecordingAppender(RecordingAppendable* parent) : parent_(parent) {}
  StatusOr<storage::SeriesRef> Append(storage::SeriesRef, const model::Labels& labels, int64_t t,
                                      double v) override {
    CISTERN_RETURN_IF_ERROR(labels.Validate());
    pending_.push_back({labels, t, v});
    return labels.Hash() | 1;
  }
  Status Commit() override {
    std::lock_guard lock(parent_->mu_);
    parent_->committed_.insert(parent_->committed_.end(), pending_.begin(), pending_.end());
    ++parent_->commits_;
    pending_.clear();
    return OkStatus();
  }
  void Rollback() override {
    std::lock_guard lock(parent_->mu_);
    ++parent_->rollbacks_;
    pending_.clear();
  }

 private:
  RecordingAppendable* parent_;
  std::vector<RecordedSample> pending_;
};

std::unique_ptr<storage::Appender> RecordingAppendable::NewAppender() {
  return std::make_unique<RecordingAppender>(this);
}

std::vector<RecordedSample> RecordingAppendable::Find(std::string_view name) const {
  std::lock_guard lock(mu_);
  std::vector<RecordedSample> out;
  for (const auto& s : committed_) {
    if (s.labels.MetricName() == name) out.push_back(s);
  }
  return out;
}

}  // namespace cistern::testing

// An Appendable that records every committed sample, for plugin and pipeline
// tests. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "agent/storage/appender.h"

namespace cistern::testing {

struct RecordedSample {
  model::Labels labels;
  int64_t timestamp_ms;
  double value;
};

class RecordingAppendable : public storage::Appendable {
 public:
  std::unique_ptr<storage::Appender> NewAppender() override;

  std::vector<RecordedSample> samples() const {
    std::lock_guard lock(mu_);
    return committed_;
  }
  int commits() const {
    std::lock_guard lock(mu_);
    return commits_;
  }
  int rollbacks() const {
    std::lock_guard lock(mu_);
    return rollbacks_;
  }
  // Samples whose metric name is `name`.
  std::vector<RecordedSample> Find(std::string_view name) const;

 private:
  friend class RecordingAppender;
  mutable std::mutex mu_;
  std::vector<RecordedSample> committed_;
  int commits_ = 0;
  int rollbacks_ = 0;
};

}  // namespace cistern::testing

// The write side of every store: inputs, the remote-write receiver and rule
// evaluation append through these interfaces and never know whether a WAL, a
// TSDB head or a test recorder sits behind them.
//
// An Appender is a transaction: Append() any number of samples, then Commit()
// (make them visible / durable per the store's policy) or Rollback(). One
// Appender is used by one thread at a time; Appendable::NewAppender() is
// thread-safe, so each collection, request or rule evaluation takes its own.
#pragma once

#include <cstdint>
#include <memory>

#include "agent/base/status.h"
#include "agent/model/labels.h"

namespace cistern::storage {

// A store-assigned handle for a series. 0 means "unknown: resolve from labels".
// Refs are only meaningful to the Appendable that returned them.
using SeriesRef = uint64_t;

class Appender {
 public:
  virtual ~Appender() = default;

  // Appends one sample. `ref` is a hint returned by an earlier Append of the
  // same labels on this Appendable (0 if unknown); the returned ref may be
  // passed next time to skip the label lookup. `value` may be any float,
  // including the staleness marker (model::StaleNaN()).
  // Errors: InvalidArgument for bad labels, others per store.
  virtual StatusOr<SeriesRef> Append(SeriesRef ref, const model::Labels& labels,
                                     int64_t timestamp_ms, double value) = 0;

  // Makes the batch visible/durable. The Appender is spent afterwards.
  virtual Status Commit() = 0;
  // Discards the batch. The Appender is spent afterwards.
  virtual void Rollback() = 0;
};

class Appendable {
 public:
  virtual ~Appendable() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
};

}  // namespace cistern::storage

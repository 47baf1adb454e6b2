// The remote-write receiver: POST /api/v1/write (remote-write 1.0, protobuf +
// snappy) into any storage::Appendable (the server's TSDB).
//
// RemoteWriteIngester is the synchronous core: decode, validate, append,
// commit, and the HTTP answer. Thread-safe: any number of worker threads call
// Write() at once, each request in its own append transaction.
// RegisterRemoteWriteRoute() puts it behind an HttpServer route: the handler
// runs on the loop thread only long enough to check headers and the pending
// byte budget, then decoding and appending run on libuv's thread pool and the
// answer comes back to the loop.
//
// Answers (Prometheus-compatible, so senders behave the same):
//   204  everything stored
//   400  malformed body (snappy/protobuf), too many series in one request, or
//        some series/samples rejected: invalid, duplicate or unsorted label
//        names, missing metric name, limits per series; out-of-order, too old
//        (out of bounds) or duplicate-timestamp samples. The valid rest of
//        the request IS stored (Prometheus 2.42 answers 400 for the same
//        inputs; senders do not retry a 400). The body names the first
//        problem of each kind and the counts.
//   413  body or decoded body over the limit
//   415  Content-Encoding other than snappy, Content-Type other than
//        application/x-protobuf (missing headers are accepted as remote-write 1.0)
//   429  more bytes pending in the thread pool than max_pending_bytes (Retry-After)
//   500  the store failed to commit (WAL write error): nothing acknowledged
//
//   cistern_receiver_requests_total{code}
//   cistern_receiver_samples_received_total          samples decoded
//   cistern_receiver_samples_appended_total          samples accepted by the store
//   cistern_receiver_samples_rejected_total{reason}  invalid_labels, out_of_order, out_of_bounds, duplicate,
//   ... cistern_receiver_series_rejected_total{reason}   invalid_labels, too_many_labels, label_too_long
//   cistern_receiver_dropped_total{kind}             exemplars / native histograms (not stored)
//   cistern_receiver_pending_bytes                   bodies queued or being ingested
//   cistern_receiver_request_duration_seconds        decode + append + commit
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/net/http_server.h"
#include "agent/obs/metrics.h"
#include "agent/storage/appender.h"

namespace cistern::api {

struct ReceiverLimits {
  size_t max_body_bytes = 32 << 20;      // compressed body
  size_t max_decoded_bytes = 256 << 20;  // after snappy, checked before allocating
  size_t max_series_per_request = 200'000;
  size_t max_labels_per_series = 64;
  size_t max_label_name_length = 1024;
  size_t max_label_value_length = 16 << 10;
  size_t max_pending_bytes = 256 << 20;  // bodies in the thread pool; beyond: 429
};

struct WriteOutcome {
  int status = 204;
  std::string message;  // body for non-2xx answers
  uint64_t samples_received = 0;
  uint64_t samples_appended = 0;
  uint64_t samples_rejected = 0;
  uint64_t series_rejected = 0;
};

class RemoteWriteIngester {
 public:
  // `store` must outlive this object.
  RemoteWriteIngester(storage::Appendable* store, ReceiverLimits limits, obs::Registry* registry);
  ~RemoteWriteIngester();
  RemoteWriteIngester(const RemoteWriteIngester&) = delete;
  RemoteWriteIngester& operator=(const RemoteWriteIngester&) = delete;

  // Thread-safe. Counts the outcome in the metrics.
  WriteOutcome Write(std::string_view body);
  // Header checks (415), on any thread; empty when acceptable.
  std::string CheckHeaders(const std::string* content_type, const std::string* content_encoding) const;

  const ReceiverLimits& limits() const { return limits_; }
  struct Metrics;
  Metrics& metrics() { return *m_; }

 private:
  storage::Appendable* const store_;
  const ReceiverLimits limits_;
  std::unique_ptr<Metrics> m_;
};

// Routes POST /api/v1/write on `server` to `ingester` via the thread pool of
// `loop`. Loop thread only; `ingester` must outlive the server.
void RegisterRemoteWriteRoute(net::HttpServer* server, uv_loop_t* loop, RemoteWriteIngester* ingester);

}  // namespace cistern::api

#include "agent/api/remote_write_receiver.h"

#include <chrono>
#include <memory>
#include <span>

#include "agent/loop/handle.h"
#include "agent/obs/log.h"
#include "agent/remote/codec.h"
#include "agent/remote/request_decoder.h"
#include "agent/storage/append_error.h"

namespace cistern::api {

struct RemoteWriteIngester::Metrics {
  explicit Metrics(obs::Registry* r)
      : requests(r->NewCounterFamily("cistern_receiver_requests_total",
                                     "Remote-write requests answered, by HTTP status code.", {"code"})),
        received(r->NewCounter("cistern_receiver_samples_received_total",
                               "Samples decoded from remote-write requests.")),
        appended(r->NewCounter("cistern_receiver_samples_appended_total",
                               "Samples from remote-write requests accepted by the store.")),
        rejected(r->NewCounterFamily("cistern_receiver_samples_rejected_total",
                                     "Samples of remote-write requests not stored, by reason.", {"reason"})),
        series_rejected(r->NewCounterFamily("cistern_receiver_series_rejected_total",
                                            "Series of remote-write requests not stored, by reason.",
                                            {"reason"})),
        dropped(r->NewCounterFamily(
            "cistern_receiver_dropped_total",
            "Exemplars and native histograms received but not stored (not supported yet).", {"kind"})),
        pending(r->NewGauge("cistern_receiver_pending_bytes",
                            "Bytes of remote-write bodies waiting for or being ingested on worker threads.")),
        duration(r->NewHistogram("cistern_receiver_request_duration_seconds",
                                 "Time to decode, validate, append and commit one remote-write request.",
                                 obs::DefaultDurationBuckets())) {}
  obs::CounterFamily* requests;
  obs::Counter* received;
  obs::Counter* appended;
  obs::CounterFamily* rejected;
  obs::CounterFamily* series_rejected;
  obs::CounterFamily* dropped;
  obs::Gauge* pending;
  obs::Histogram* duration;
};

namespace {

constexpr size_t kMaxSeriesInMessage = 200;

std::string Shorten(std::string s) {
  if (s.size() > kMaxSeriesInMessage) {
    s.resize(kMaxSeriesInMessage);
    s += "...";
  }
  return s;
}

// Labels as received minus empty values (absent and empty are the same in
// Prometheus), checked against the limits and for a metric name; the store
// checks names, values and order of series it has not seen (InvalidSeries()).
// Returns the reason label and sets *error on rejection.
const char* CheckSeries(std::span<const remote::LabelView> in, const ReceiverLimits& limits,
                        model::Labels* out, std::string* error) {
  bool empty_value = false;
  for (const remote::LabelView& l : in) empty_value |= l.value.empty();
  if (!empty_value) {
    out->AssignInOrder(in);  // reuses the thread's label strings
  } else {
    thread_local std::vector<remote::LabelView> kept;
    kept.clear();
    for (const remote::LabelView& l : in)
      if (!l.value.empty()) kept.push_back(l);
    out->AssignInOrder(kept);
  }
  if (out->size() > limits.max_labels_per_series) {
    *error = "series " + Shorten(out->ToString()) + ": " + std::to_string(out->size()) +
             " labels, more than the limit of " + std::to_string(limits.max_labels_per_series) +
             " (receiver.max_labels_per_series)";
    return "too_many_labels";
  }
  for (const model::Label& l : *out) {
    if (l.name.size() > limits.max_label_name_length) {
      *error = "series " + Shorten(out->ToString()) + ": label name of " + std::to_string(l.name.size()) +
               " bytes, more than the limit of " + std::to_string(limits.max_label_name_length) +
               " (receiver.max_label_name_length)";
      return "label_too_long";
    }
    if (l.value.size() > limits.max_label_value_length) {
      *error = "series " + Shorten(out->ToString()) + ": label \"" + l.name + "\" value of " +
               std::to_string(l.value.size()) + " bytes, more than the limit of " +
               std::to_string(limits.max_label_value_length) + " (receiver.max_label_value_length)";
      return "label_too_long";
    }
  }
  if (!out->Has(model::kMetricName)) {
    *error = "series " + Shorten(out->ToString()) + ": no metric name (label __name__)";
    return "invalid_labels";
  }
  // Names, values and order are checked by the store when it first sees the
  // series (InvalidSeries() then names the problem): known series cost nothing.
  return nullptr;
}

// The message for a series the store refused as invalid.
std::string InvalidSeries(const model::Labels& labels) {
  Status s = labels.Validate();
  return "series " + Shorten(labels.ToString()) + ": " +
         (s.ok() ? std::string("refused by the store") : std::string(s.message()));
}

}  // namespace

RemoteWriteIngester::RemoteWriteIngester(storage::Appendable* store, ReceiverLimits limits,
                                         obs::Registry* registry)
    : store_(store), limits_(limits), m_(std::make_unique<Metrics>(registry)) {}

RemoteWriteIngester::~RemoteWriteIngester() = default;

std::string RemoteWriteIngester::CheckHeaders(const std::string* content_type,
                                              const std::string* content_encoding) const {
  if (content_encoding != nullptr && !content_encoding->empty() &&
      *content_encoding != remote::kContentEncoding)
    return "unsupported Content-Encoding \"" + *content_encoding +
           "\": remote-write 1.0 bodies are snappy-compressed";
  if (content_type != nullptr && !content_type->empty()) {
    std::string_view ct = *content_type;
    std::string_view base = ct.substr(0, ct.find(';'));
    while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
    bool v2 = ct.find("io.prometheus.write.v2") != std::string_view::npos;
    if (base != remote::kContentType || v2)
      return "unsupported Content-Type \"" + *content_type +
             "\": this receiver accepts remote-write 1.0 (application/x-protobuf, prometheus.WriteRequest)";
  }
  return {};
}

WriteOutcome RemoteWriteIngester::Write(std::string_view body) {
  auto started = std::chrono::steady_clock::now();
  WriteOutcome out;
  auto finish = [&]() -> WriteOutcome {
    m_->requests->With({std::to_string(out.status)})->Inc();
    m_->duration->Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    return std::move(out);
  };
  if (body.size() > limits_.max_body_bytes) {
    out.status = 413;
    out.message = "request body of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                  std::to_string(limits_.max_body_bytes) + " (receiver.max_body)";
    return finish();
  }
  remote::DecodeLimits dl;
  dl.max_decoded_bytes = limits_.max_decoded_bytes;
  // One reusable view per worker thread: no allocation per label or sample
  // once it has grown to the largest request.
  thread_local remote::WriteRequestView req;
  if (Status s = remote::DecodeWriteRequestView(body, dl, &req); !s.ok()) {
    out.status = s.code() == StatusCode::kResourceExhausted ? 413 : 400;
    out.message = std::string(s.message());
    if (out.status == 413) out.message += " (receiver.max_decoded_body)";
    return finish();
  }
  if (req.series.size() > limits_.max_series_per_request) {
    out.status = 400;
    out.message = "request has " + std::to_string(req.series.size()) + " series, more than the limit of " +
                  std::to_string(limits_.max_series_per_request) + " (receiver.max_series_per_request)";
    return finish();
  }
  if (req.exemplar_count > 0) m_->dropped->With({"exemplar"})->Inc(static_cast<double>(req.exemplar_count));
  if (req.histogram_count > 0)
    m_->dropped->With({"native_histogram"})->Inc(static_cast<double>(req.histogram_count));

  std::unique_ptr<storage::Appender> app = store_->NewAppender();
  std::string first_series_error, first_sample_error;
  uint64_t sample_rejections[4] = {0, 0, 0, 0};
  uint64_t series_samples_rejected = 0;  // samples of rejected series
  thread_local model::Labels labels;
  for (const remote::SeriesView& ts : req.series) {
    std::span<const remote::LabelView> in(req.labels.data() + ts.labels_begin,
                                          ts.labels_end - ts.labels_begin);
    std::span<const model::Sample> samples(req.samples.data() + ts.samples_begin,
                                           ts.samples_end - ts.samples_begin);
    out.samples_received += samples.size();
    std::string error;
    if (const char* reason = CheckSeries(in, limits_, &labels, &error)) {
      m_->series_rejected->With({reason})->Inc();
      if (!samples.empty()) m_->rejected->With({reason})->Inc(static_cast<double>(samples.size()));
      ++out.series_rejected;
      out.samples_rejected += samples.size();
      series_samples_rejected += samples.size();
      if (first_series_error.empty()) first_series_error = std::move(error);
      continue;
    }
    storage::SeriesRef ref = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      const model::Sample& s = samples[i];
      StatusOr<storage::SeriesRef> r = app->Append(ref, labels, s.timestamp_ms, s.value);
      if (r.ok()) {
        ref = *r;
        ++out.samples_appended;
        continue;
      }
      std::optional<storage::Rejection> why = storage::RejectionOf(r.status());
      if (!why) {  // the series itself is unusable: all its samples go
        size_t left = samples.size() - i;
        m_->series_rejected->With({"invalid_labels"})->Inc();
        m_->rejected->With({"invalid_labels"})->Inc(static_cast<double>(left));
        ++out.series_rejected;
        out.samples_rejected += left;
        series_samples_rejected += left;
        if (first_series_error.empty()) first_series_error = InvalidSeries(labels);
        break;
      }
      ++out.samples_rejected;
      ++sample_rejections[static_cast<int>(*why)];
      if (first_sample_error.empty())
        first_sample_error = std::string(r.status().message()) + " for series " + Shorten(labels.ToString()) +
                             " at timestamp " + std::to_string(s.timestamp_ms);
    }
  }
  m_->received->Inc(static_cast<double>(out.samples_received));
  for (int i = 0; i < 4; ++i) {
    if (sample_rejections[i] == 0) continue;
    auto r = static_cast<storage::Rejection>(i);
    m_->rejected->With({std::string(storage::RejectionReasonLabel(r))})
        ->Inc(static_cast<double>(sample_rejections[i]));
  }
  if (Status s = app->Commit(); !s.ok()) {
    out.status = 500;
    out.message = "store: " + std::string(s.message());
    out.samples_appended = 0;
    static obs::RateLimiter limiter(1, 10'000);
    uint64_t suppressed = 0;
    if (limiter.Allow(&suppressed))
      obs::Error("receiver", "commit failed, request not acknowledged ({} similar suppressed): {}",
                 suppressed, s.message());
    return finish();
  }
  m_->appended->Inc(static_cast<double>(out.samples_appended));
  if (out.series_rejected > 0 || out.samples_rejected > 0) {
    out.status = 400;
    if (out.series_rejected > 0)
      out.message = std::to_string(out.series_rejected) + " series rejected, first: " + first_series_error;
    if (!first_sample_error.empty()) {
      if (!out.message.empty()) out.message += "; ";
      out.message += std::to_string(out.samples_rejected - series_samples_rejected) +
                     " samples rejected, first: " + first_sample_error;
    }
    out.message += " (" + std::to_string(out.samples_appended) + " samples of the request stored)";
  }
  return finish();
}

void RegisterRemoteWriteRoute(net::HttpServer* server, uv_loop_t* loop, RemoteWriteIngester* ingester) {
  auto pending = std::make_shared<size_t>(0);  // loop thread only
  server->Route(
      "/api/v1/write", {"POST"},
      [loop, ingester, pending](net::HttpRequest req, net::Responder respond) {
        std::string bad = ingester->CheckHeaders(req.Header("Content-Type"), req.Header("Content-Encoding"));
        if (!bad.empty()) {
          ingester->metrics().requests->With({"415"})->Inc();
          respond(net::HttpResponse::Text(415, bad + "\n"));
          return;
        }
        size_t size = req.body.size();
        if (*pending > 0 && *pending + size > ingester->limits().max_pending_bytes) {
          ingester->metrics().requests->With({"429"})->Inc();
          net::HttpResponse r =
              net::HttpResponse::Text(429, "receiver busy: " + std::to_string(*pending) +
                                               " bytes of requests pending (receiver.max_pending_bytes)\n");
          r.headers.push_back({"Retry-After", "1"});
          respond(std::move(r));
          return;
        }
        *pending += size;
        ingester->metrics().pending->Set(static_cast<double>(*pending));
        auto body = std::make_shared<std::string>(std::move(req.body));
        auto outcome = std::make_shared<WriteOutcome>();
        loop::QueueWork(
            loop, [ingester, body, outcome] { *outcome = ingester->Write(*body); },
            [ingester, pending, size, outcome, respond = std::move(respond)](Status s) {
              *pending -= size;
              ingester->metrics().pending->Set(static_cast<double>(*pending));
              if (!s.ok()) {
                respond(net::HttpResponse::Text(503, "receiver shutting down\n"));
                return;
              }
              if (outcome->status == 204) {
                net::HttpResponse r;
                r.status = 204;
                respond(std::move(r));
                return;
              }
              respond(net::HttpResponse::Text(outcome->status, outcome->message + "\n"));
            });
      },
      "/api/v1/write");
}

}  // namespace cistern::api

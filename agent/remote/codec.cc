#include "agent/remote/codec.h"

#include <snappy.h>

#include <google/protobuf/arena.h>

#include "proto/remote.pb.h"

namespace cistern::remote {
namespace {

void ToProto(const WriteRequest& req, prometheus::WriteRequest* pb) {
  pb->mutable_timeseries()->Reserve(static_cast<int>(req.timeseries.size()));
  for (const TimeSeries& ts : req.timeseries) {
    prometheus::TimeSeries* p = pb->add_timeseries();
    p->mutable_labels()->Reserve(static_cast<int>(ts.labels.size()));
    for (const model::Label& l : ts.labels) {
      prometheus::Label* pl = p->add_labels();
      pl->set_name(l.name);
      pl->set_value(l.value);
    }
    p->mutable_samples()->Reserve(static_cast<int>(ts.samples.size()));
    for (const model::Sample& s : ts.samples) {
      prometheus::Sample* ps = p->add_samples();
      ps->set_value(s.value);
      ps->set_timestamp(s.timestamp_ms);
    }
  }
  for (const MetricMetadata& m : req.metadata) {
    prometheus::MetricMetadata* pm = pb->add_metadata();
    pm->set_type(static_cast<prometheus::MetricMetadata::MetricType>(m.type));
    pm->set_metric_family_name(m.metric_family_name);
    pm->set_help(m.help);
    pm->set_unit(m.unit);
  }
}

WriteRequest FromProto(const prometheus::WriteRequest& pb) {
  WriteRequest req;
  req.timeseries.reserve(static_cast<size_t>(pb.timeseries_size()));
  for (const prometheus::TimeSeries& p : pb.timeseries()) {
    TimeSeries ts;
    std::vector<model::Label> labels;
    labels.reserve(static_cast<size_t>(p.labels_size()));
    for (const prometheus::Label& l : p.labels()) labels.push_back({l.name(), l.value()});
    ts.labels = model::Labels::FromSorted(std::move(labels));  // order as received
    ts.samples.reserve(static_cast<size_t>(p.samples_size()));
    for (const prometheus::Sample& s : p.samples()) ts.samples.push_back({s.timestamp(), s.value()});
    req.histogram_count += static_cast<size_t>(p.histograms_size());
    req.exemplar_count += static_cast<size_t>(p.exemplars_size());
    req.timeseries.push_back(std::move(ts));
  }
  for (const prometheus::MetricMetadata& m : pb.metadata()) {
    req.metadata.push_back({static_cast<MetricType>(m.type()), m.metric_family_name(), m.help(), m.unit()});
  }
  return req;
}

}  // namespace

std::string SerializeWriteRequest(const WriteRequest& req) {
  google::protobuf::Arena arena;
  auto* pb = google::protobuf::Arena::CreateMessage<prometheus::WriteRequest>(&arena);
  ToProto(req, pb);
  return pb->SerializeAsString();
}

void EncodeWriteRequest(const WriteRequest& req, std::string* out) {
  std::string raw = SerializeWriteRequest(req);
  out->clear();
  snappy::Compress(raw.data(), raw.size(), out);
}

std::string EncodeWriteRequest(const WriteRequest& req) {
  std::string out;
  EncodeWriteRequest(req, &out);
  return out;
}

StatusOr<WriteRequest> ParseWriteRequest(std::string_view bytes) {
  google::protobuf::Arena arena;
  auto* pb = google::protobuf::Arena::CreateMessage<prometheus::WriteRequest>(&arena);
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !pb->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return InvalidArgumentError("protobuf: cannot parse WriteRequest");
  }
  return FromProto(*pb);
}

StatusOr<WriteRequest> DecodeWriteRequest(std::string_view body, const DecodeLimits& limits) {
  size_t len = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &len)) {
    return InvalidArgumentError("snappy: corrupt input");
  }
  if (len > limits.max_decoded_bytes) {
    return ResourceExhaustedError("snappy: decoded length " + std::to_string(len) + " exceeds limit " +
                                  std::to_string(limits.max_decoded_bytes));
  }
  std::string raw;
  if (!snappy::Uncompress(body.data(), body.size(), &raw)) return InvalidArgumentError("snappy: corrupt input");
  return ParseWriteRequest(raw);
}

}  // namespace cistern::remote

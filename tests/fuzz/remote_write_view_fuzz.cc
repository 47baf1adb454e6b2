// Differential: arbitrary bytes through the generated protobuf parser
// (ParseWriteRequest, codec.h) and the zero-copy decoder
// (ParseWriteRequestView, request_decoder.h). Both accept or both reject; when
// both accept, series, labels, samples (bit-exact), metadata and the exemplar
// and histogram counts are identical. The same bytes as a snappy body go
// through DecodeWriteRequest and DecodeWriteRequestView (same codes). One view
// is reused across inputs, as the receiver does.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "agent/remote/codec.h"
#include "agent/remote/request_decoder.h"

namespace {

using cistern::remote::WriteRequest;
using cistern::remote::WriteRequestView;

[[noreturn]] void Mismatch(const char* what, const std::string& detail) {
  std::fprintf(stderr, "remote_write_view_fuzz: mismatch: %s %s\n", what, detail.c_str());
  std::abort();
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void Compare(const WriteRequest& want, const WriteRequestView& got) {
  if (want.timeseries.size() != got.series.size()) Mismatch("series count", "");
  for (size_t i = 0; i < want.timeseries.size(); ++i) {
    const auto& ts = want.timeseries[i];
    const auto& sv = got.series[i];
    if (sv.labels_begin > sv.labels_end || sv.labels_end > got.labels.size() ||
        sv.samples_begin > sv.samples_end || sv.samples_end > got.samples.size()) {
      Mismatch("series ranges", std::to_string(i));
    }
    if (ts.labels.size() != sv.labels_end - sv.labels_begin) Mismatch("label count", std::to_string(i));
    for (size_t j = 0; j < ts.labels.size(); ++j) {
      const auto& l = got.labels[sv.labels_begin + j];
      if (ts.labels[j].name != l.name || ts.labels[j].value != l.value) Mismatch("label", std::to_string(i));
    }
    if (ts.samples.size() != sv.samples_end - sv.samples_begin) Mismatch("sample count", std::to_string(i));
    for (size_t j = 0; j < ts.samples.size(); ++j) {
      const auto& s = got.samples[sv.samples_begin + j];
      if (ts.samples[j].timestamp_ms != s.timestamp_ms || !SameBits(ts.samples[j].value, s.value)) {
        Mismatch("sample", std::to_string(i));
      }
    }
  }
  size_t exemplars = 0, histograms = 0;
  for (const auto& sv : got.series) {
    exemplars += sv.exemplars;
    histograms += sv.histograms;
  }
  if (want.exemplar_count != got.exemplar_count || exemplars != got.exemplar_count) Mismatch("exemplars", "");
  if (want.histogram_count != got.histogram_count || histograms != got.histogram_count)
    Mismatch("histograms", "");
  if (want.metadata.size() != got.metadata.size()) Mismatch("metadata count", "");
  for (size_t i = 0; i < want.metadata.size(); ++i) {
    const auto& a = want.metadata[i];
    const auto& b = got.metadata[i];
    if (a.type != b.type || a.metric_family_name != b.metric_family_name || a.help != b.help ||
        a.unit != b.unit) {
      Mismatch("metadata", std::to_string(i));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static WriteRequestView* view = new WriteRequestView;  // reused, never freed
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto want = cistern::remote::ParseWriteRequest(bytes);
  cistern::Status got = cistern::remote::ParseWriteRequestView(bytes, view);
  if (want.ok() != got.ok()) {
    Mismatch(want.ok() ? "generated accepts, view rejects:" : "generated rejects, view accepts",
             got.ToString());
  }
  if (want.ok()) {
    Compare(*want, *view);
  } else if (got.code() != cistern::StatusCode::kInvalidArgument ||
             got.message().rfind("protobuf: ", 0) != 0) {
    Mismatch("error", got.ToString());
  }

  cistern::remote::DecodeLimits limits;
  limits.max_decoded_bytes = 1 << 20;
  auto want_body = cistern::remote::DecodeWriteRequest(bytes, limits);
  cistern::Status got_body = cistern::remote::DecodeWriteRequestView(bytes, limits, view);
  if (want_body.status().code() != got_body.code()) {
    Mismatch("snappy body codes", want_body.status().ToString() + " vs " + got_body.ToString());
  }
  if (want_body.ok()) Compare(*want_body, *view);
  return 0;
}

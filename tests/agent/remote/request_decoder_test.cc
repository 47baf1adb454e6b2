#include "agent/remote/request_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <snappy.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "agent/model/sample.h"
#include "agent/remote/codec.h"
#include "agent/remote/request_encoder.h"
#include "tests/testing/status_matchers.h"

namespace cistern::remote {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;
using namespace std::string_literals;

// Hand-built protobuf wire bytes.
std::string Varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string Tag(uint32_t field, uint32_t wire) { return Varint(uint64_t{field} << 3 | wire); }
std::string Len(uint32_t field, const std::string& body) {
  return Tag(field, 2) + Varint(body.size()) + body;
}
std::string VarintField(uint32_t field, uint64_t v) { return Tag(field, 0) + Varint(v); }
std::string Fixed64(uint32_t field, uint64_t bits) {
  std::string s = Tag(field, 1);
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(bits >> (8 * i)));
  return s;
}
std::string Double(uint32_t field, double v) { return Fixed64(field, std::bit_cast<uint64_t>(v)); }
std::string Fixed32(uint32_t field, uint32_t bits) {
  std::string s = Tag(field, 5);
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(bits >> (8 * i)));
  return s;
}
std::string Group(uint32_t field, const std::string& body) { return Tag(field, 3) + body + Tag(field, 4); }

std::string LabelMsg(const std::string& name, const std::string& value) {
  return Len(1, name) + Len(2, value);
}
std::string SampleMsg(int64_t t, double v) { return Double(1, v) + VarintField(2, static_cast<uint64_t>(t)); }
// WriteRequest.timeseries entry.
std::string Series(const std::string& body) { return Len(1, body); }

uint64_t Bits(double d) { return std::bit_cast<uint64_t>(d); }

// Parses `bytes` with the view decoder, and checks the generated parser
// accepts it too with the same content. The view stays alive (and in place:
// its string_views point into its own buffer) until the test binary exits.
const WriteRequestView& ParseBoth(const std::string& bytes) {
  static std::deque<WriteRequestView> views;
  WriteRequestView& view = views.emplace_back();
  Status got = ParseWriteRequestView(bytes, &view);
  EXPECT_THAT(got, testing::IsOk());
  auto want = ParseWriteRequest(bytes);
  EXPECT_TRUE(want.ok()) << "generated parser rejects what the view accepts";
  if (!want.ok() || !got.ok()) return view;
  EXPECT_EQ(want->timeseries.size(), view.series.size());
  for (size_t i = 0; i < want->timeseries.size() && i < view.series.size(); ++i) {
    const TimeSeries& ts = want->timeseries[i];
    const SeriesView& sv = view.series[i];
    EXPECT_EQ(ts.labels.size(), sv.labels_end - sv.labels_begin) << i;
    if (ts.labels.size() != sv.labels_end - sv.labels_begin) continue;
    for (size_t j = 0; j < ts.labels.size(); ++j) {
      EXPECT_EQ(ts.labels[j].name, view.labels[sv.labels_begin + j].name);
      EXPECT_EQ(ts.labels[j].value, view.labels[sv.labels_begin + j].value);
    }
    EXPECT_EQ(ts.samples.size(), sv.samples_end - sv.samples_begin) << i;
    if (ts.samples.size() != sv.samples_end - sv.samples_begin) continue;
    for (size_t j = 0; j < ts.samples.size(); ++j) {
      EXPECT_EQ(ts.samples[j].timestamp_ms, view.samples[sv.samples_begin + j].timestamp_ms);
      EXPECT_EQ(Bits(ts.samples[j].value), Bits(view.samples[sv.samples_begin + j].value));
    }
  }
  EXPECT_EQ(want->exemplar_count, view.exemplar_count);
  EXPECT_EQ(want->histogram_count, view.histogram_count);
  EXPECT_EQ(want->metadata.size(), view.metadata.size());
  return view;
}

// Checks both parsers reject `bytes` and returns the view decoder's status.
Status RejectBoth(const std::string& bytes) {
  WriteRequestView view;
  Status got = ParseWriteRequestView(bytes, &view);
  EXPECT_FALSE(ParseWriteRequest(bytes).ok()) << "generated parser accepts what the view rejects";
  return got;
}

std::vector<LabelView> LabelsOf(const WriteRequestView& v, size_t series) {
  const SeriesView& s = v.series.at(series);
  return {v.labels.begin() + s.labels_begin, v.labels.begin() + s.labels_end};
}

MATCHER_P2(IsLabel, name, value, "") { return arg.name == name && arg.value == value; }

TEST(RequestDecoderTest, RoundTripOfEncodeWriteRequestKeepsEverythingBitExact) {
  WriteRequest req;
  req.timeseries.push_back(
      {model::Labels{{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"mode", "idle"}},
       {{1700000000000, 12345.5}, {1700000015000, 12360.25}}});
  req.timeseries.push_back(
      {model::Labels{{"__name__", "edge"}, {"empty", ""}, {"long", std::string(300, 'x')}},
       {{0, 0.0},
        {-1, -0.0},
        {std::numeric_limits<int64_t>::min(), std::numeric_limits<double>::infinity()},
        {std::numeric_limits<int64_t>::max(), std::nan("")},
        {7, model::StaleNaN()},
        {8, std::bit_cast<double>(uint64_t{0xfff8000000abcdefULL})}}});
  req.timeseries.push_back({model::Labels{{"__name__", "no_samples"}}, {}});
  req.metadata.push_back(
      {MetricType::kCounter, "node_cpu_seconds_total", "Seconds the CPUs spent.", "seconds"});

  WriteRequestView view;
  CISTERN_ASSERT_OK(DecodeWriteRequestView(EncodeWriteRequest(req), DecodeLimits{}, &view));
  ASSERT_EQ(view.series.size(), req.timeseries.size());
  for (size_t i = 0; i < req.timeseries.size(); ++i) {
    const TimeSeries& ts = req.timeseries[i];
    const SeriesView& sv = view.series[i];
    ASSERT_EQ(sv.labels_end - sv.labels_begin, ts.labels.size());
    for (size_t j = 0; j < ts.labels.size(); ++j) {
      EXPECT_THAT(view.labels[sv.labels_begin + j], IsLabel(ts.labels[j].name, ts.labels[j].value));
    }
    ASSERT_EQ(sv.samples_end - sv.samples_begin, ts.samples.size());
    for (size_t j = 0; j < ts.samples.size(); ++j) {
      EXPECT_EQ(view.samples[sv.samples_begin + j].timestamp_ms, ts.samples[j].timestamp_ms);
      EXPECT_EQ(Bits(view.samples[sv.samples_begin + j].value), Bits(ts.samples[j].value)) << i << "/" << j;
    }
  }
  ASSERT_EQ(view.metadata.size(), 1u);
  EXPECT_EQ(view.metadata[0].type, MetricType::kCounter);
  EXPECT_EQ(view.metadata[0].metric_family_name, "node_cpu_seconds_total");
  EXPECT_EQ(view.metadata[0].help, "Seconds the CPUs spent.");
  EXPECT_EQ(view.metadata[0].unit, "seconds");

  // The hand-written encoder's bytes decode the same.
  RequestEncoder enc;
  for (const TimeSeries& ts : req.timeseries) enc.Add(ts.labels, ts.samples);
  std::string body;
  enc.Finish(&body);
  WriteRequestView from_encoder;
  CISTERN_ASSERT_OK(DecodeWriteRequestView(body, DecodeLimits{}, &from_encoder));
  ASSERT_EQ(from_encoder.samples.size(), view.samples.size());
  EXPECT_EQ(std::memcmp(from_encoder.samples.data(), view.samples.data(),
                        view.samples.size() * sizeof(model::Sample)),
            0);
}

TEST(RequestDecoderTest, EveryStringViewPointsIntoTheBuffer) {
  std::string bytes = Series(Len(1, LabelMsg("__name__", "up")) + Len(1, LabelMsg("job", "node")));
  WriteRequestView view;
  CISTERN_ASSERT_OK(ParseWriteRequestView(bytes, &view));
  EXPECT_EQ(view.buffer, bytes);
  for (const LabelView& l : view.labels) {
    EXPECT_GE(l.name.data(), view.buffer.data());
    EXPECT_LE(l.value.data() + l.value.size(), view.buffer.data() + view.buffer.size());
  }
}

TEST(RequestDecoderTest, SampleWithOnlyATimestampOrOnlyAValueDefaultsTheOtherToZero) {
  const WriteRequestView& v =
      ParseBoth(Series(Len(1, LabelMsg("__name__", "m")) + Len(2, VarintField(2, 1000)) +
                       Len(2, Double(1, 2.5)) + Len(2, "")));
  ASSERT_EQ(v.samples.size(), 3u);
  EXPECT_EQ(v.samples[0].timestamp_ms, 1000);
  EXPECT_EQ(Bits(v.samples[0].value), 0u);
  EXPECT_EQ(v.samples[1].timestamp_ms, 0);
  EXPECT_EQ(v.samples[1].value, 2.5);
  EXPECT_EQ(v.samples[2].timestamp_ms, 0);
  EXPECT_EQ(Bits(v.samples[2].value), 0u);
}

TEST(RequestDecoderTest, NegativeTimestampsAreTenByteVarints) {
  std::string sample = SampleMsg(-1, 1);
  EXPECT_EQ(sample.size(), 9u + 1 + 10);
  const WriteRequestView& v =
      ParseBoth(Series(Len(2, sample) + Len(2, SampleMsg(std::numeric_limits<int64_t>::min(), 2))));
  ASSERT_EQ(v.samples.size(), 2u);
  EXPECT_EQ(v.samples[0].timestamp_ms, -1);
  EXPECT_EQ(v.samples[1].timestamp_ms, std::numeric_limits<int64_t>::min());
}

TEST(RequestDecoderTest, VarintBitsPastSixtyFourAreDroppedAsProtobufDoes) {
  // 10 bytes whose last carries 0x7f: only its lowest bit is part of an int64.
  std::string ts = std::string(9, '\xff') + '\x7f';
  const WriteRequestView& v = ParseBoth(Series(Len(2, Tag(2, 0) + ts)));
  ASSERT_EQ(v.samples.size(), 1u);
  EXPECT_EQ(v.samples[0].timestamp_ms, -1);
}

TEST(RequestDecoderTest, ValuesAreBitExactIncludingNaNPayloads) {
  const uint64_t patterns[] = {model::kStaleNaNBits,  0x7ff8000000000001ULL, 0xfff0000000000001ULL,
                               0x8000000000000000ULL, 0x0000000000000001ULL, 0x7ff0000000000000ULL};
  std::string body;
  for (uint64_t b : patterns) body += Len(2, Fixed64(1, b));
  const WriteRequestView& v = ParseBoth(Series(body));
  ASSERT_EQ(v.samples.size(), std::size(patterns));
  for (size_t i = 0; i < std::size(patterns); ++i) EXPECT_EQ(Bits(v.samples[i].value), patterns[i]) << i;
}

TEST(RequestDecoderTest, TheLastOccurrenceOfAScalarFieldWins) {
  std::string label = Len(1, "first") + Len(2, "v1") + Len(1, "name") + Len(2, "value");
  std::string sample = Double(1, 1) + VarintField(2, 5) + Double(1, 2) + VarintField(2, 6);
  std::string md =
      VarintField(1, 1) + Len(2, "a") + VarintField(1, 2) + Len(2, "b") + Len(4, "h") + Len(4, "help");
  const WriteRequestView& v = ParseBoth(Series(Len(1, label) + Len(2, sample)) + Len(3, md));
  EXPECT_THAT(LabelsOf(v, 0), ::testing::ElementsAre(IsLabel("name", "value")));
  ASSERT_EQ(v.samples.size(), 1u);
  EXPECT_EQ(v.samples[0].value, 2);
  EXPECT_EQ(v.samples[0].timestamp_ms, 6);
  ASSERT_EQ(v.metadata.size(), 1u);
  EXPECT_EQ(v.metadata[0].type, MetricType::kGauge);
  EXPECT_EQ(v.metadata[0].metric_family_name, "b");
  EXPECT_EQ(v.metadata[0].help, "help");
}

TEST(RequestDecoderTest, FieldsMayComeInAnyOrder) {
  // Samples before and between labels, timestamp before value, value before
  // name, metadata before the series.
  std::string body = Len(2, VarintField(2, 9) + Double(1, 3)) + Len(1, Len(2, "v") + Len(1, "b")) +
                     Len(2, SampleMsg(10, 4)) + Len(1, LabelMsg("a", "w"));
  const WriteRequestView& v =
      ParseBoth(Len(3, Len(2, "m")) + Series(body) + Series(Len(1, LabelMsg("x", "y"))));
  ASSERT_EQ(v.series.size(), 2u);
  EXPECT_THAT(LabelsOf(v, 0), ::testing::ElementsAre(IsLabel("b", "v"), IsLabel("a", "w")));
  EXPECT_THAT(LabelsOf(v, 1), ::testing::ElementsAre(IsLabel("x", "y")));
  ASSERT_EQ(v.samples.size(), 2u);
  EXPECT_EQ(v.samples[0].timestamp_ms, 9);
  EXPECT_EQ(v.samples[0].value, 3);
  EXPECT_EQ(v.series[1].samples_begin, v.series[1].samples_end);
  EXPECT_EQ(v.metadata.size(), 1u);
}

TEST(RequestDecoderTest, ZeroLengthMessagesAreAllDefaults) {
  const WriteRequestView& v = ParseBoth(Series("") + Series(Len(1, "") + Len(2, "")) + Len(3, ""));
  ASSERT_EQ(v.series.size(), 2u);
  EXPECT_EQ(v.series[0].labels_begin, v.series[0].labels_end);
  EXPECT_THAT(LabelsOf(v, 1), ::testing::ElementsAre(IsLabel("", "")));
  ASSERT_EQ(v.samples.size(), 1u);
  EXPECT_EQ(v.samples[0].timestamp_ms, 0);
  ASSERT_EQ(v.metadata.size(), 1u);
  EXPECT_EQ(v.metadata[0].type, MetricType::kUnknown);
  EXPECT_TRUE(ParseBoth("").series.empty());
}

TEST(RequestDecoderTest, UnknownFieldsOfEveryWireTypeAreSkippedAtEveryLevel) {
  const std::string unknown =
      VarintField(15, 300) + Fixed64(16, 1) + Len(17, "junk") + Fixed32(18, 7) +
      Group(19, VarintField(1, 1) + Group(2, Len(3, "x") + Group(4, "")) + Fixed32(5, 0)) +
      VarintField(536870911, 1);  // the largest field number
  std::string label = unknown + LabelMsg("job", "node") + unknown;
  std::string sample = unknown + SampleMsg(1000, 1.5) + unknown;
  std::string series = unknown + Len(1, label) + unknown + Len(2, sample) + unknown;
  std::string md = unknown + VarintField(1, 2) + unknown + Len(5, "bytes");
  // WriteRequest field 2 is reserved: skipped like any unknown field.
  const WriteRequestView& v =
      ParseBoth(unknown + Len(2, "reserved") + Series(series) + unknown + Len(3, md) + unknown);
  EXPECT_THAT(LabelsOf(v, 0), ::testing::ElementsAre(IsLabel("job", "node")));
  ASSERT_EQ(v.samples.size(), 1u);
  EXPECT_EQ(v.samples[0].timestamp_ms, 1000);
  EXPECT_EQ(v.samples[0].value, 1.5);
  ASSERT_EQ(v.metadata.size(), 1u);
  EXPECT_EQ(v.metadata[0].unit, "bytes");
}

TEST(RequestDecoderTest, AKnownFieldWithAnotherWireTypeIsSkippedAsUnknown) {
  // proto3 C++ parses a mismatched wire type as an unknown field, not an error.
  std::string series = Fixed32(1, 0x01020304) + VarintField(2, 7) + Group(1, "") + Fixed64(3, 0) +
                       Len(1, VarintField(1, 5) + Fixed32(2, 1) + LabelMsg("a", "b")) +
                       Len(2, VarintField(1, 42) + Len(2, "ts") + Fixed32(1, 9));
  const WriteRequestView& v =
      ParseBoth(VarintField(1, 1) + Fixed64(3, 2) + Series(series) + Len(3, Len(1, "type?")));
  ASSERT_EQ(v.series.size(), 1u);
  EXPECT_THAT(LabelsOf(v, 0), ::testing::ElementsAre(IsLabel("a", "b")));
  ASSERT_EQ(v.samples.size(), 1u);
  EXPECT_EQ(v.samples[0].timestamp_ms, 0);
  EXPECT_EQ(Bits(v.samples[0].value), 0u);
  EXPECT_EQ(v.metadata[0].type, MetricType::kUnknown);
}

TEST(RequestDecoderTest, InvalidUtf8IsAcceptedBecauseTheFieldsAreBytes) {
  // types.proto declares labels and metadata as `bytes`: the generated parser
  // takes any bytes, and so does the view; Labels::Validate judges later.
  std::string bad = "\xff\xfe\xc3";
  const WriteRequestView& v =
      ParseBoth(Series(Len(1, LabelMsg(bad, bad))) + Len(3, Len(2, bad) + Len(4, bad)));
  EXPECT_THAT(LabelsOf(v, 0), ::testing::ElementsAre(IsLabel(bad, bad)));
  EXPECT_EQ(v.metadata[0].help, bad);
}

TEST(RequestDecoderTest, NonCanonicalTagsAndLengthsAreAcceptedAsProtobufDoes) {
  // Tag 10 (field 1, length-delimited) in two bytes; tag 10 + 2^32 in five
  // (ReadTag keeps 32 bits); a Label of length 0 written in five bytes.
  const std::string two_byte_tag = "\x8a\x00"s;
  const std::string five_byte_tag = "\x8a\x80\x80\x80\x10"s;
  const std::string series1 = Len(1, LabelMsg("n", "v"));
  const std::string series2 = Tag(1, 2) + "\x80\x80\x80\x80\x00"s;
  const WriteRequestView& v = ParseBoth(two_byte_tag + Varint(series1.size()) + series1 + five_byte_tag +
                                        Varint(series2.size()) + series2);
  ASSERT_EQ(v.series.size(), 2u);
  EXPECT_THAT(LabelsOf(v, 0), ::testing::ElementsAre(IsLabel("n", "v")));
  EXPECT_THAT(LabelsOf(v, 1), ::testing::ElementsAre(IsLabel("", "")));
}

std::string HistogramMsg() {
  std::string span = VarintField(1, 1) + VarintField(2, 3);  // zigzag offset -1, length 3
  return VarintField(1, 10) + Double(3, 12.5) + VarintField(4, 6) + Double(5, 1e-128) + VarintField(6, 1) +
         Len(11, span) + Len(12, Varint(2) + Varint(1) + Varint(300)) +  // packed sint64 deltas
         VarintField(12, 4) +                                            // and one unpacked
         Len(13, std::string(16, '\0')) + Double(13, 1) +                // packed and unpacked doubles
         Len(8, "") + Len(9, "") + Len(10, "") + VarintField(14, 3) + VarintField(15, 1700000000000);
}

TEST(RequestDecoderTest, ExemplarsAndHistogramsAreValidatedAndCounted) {
  std::string exemplar = Len(1, LabelMsg("trace_id", "abc")) + Double(2, 1) + VarintField(3, 5);
  std::string s1 = Len(1, LabelMsg("__name__", "a")) + Len(3, exemplar) + Len(3, "") + Len(4, HistogramMsg());
  std::string s2 = Len(1, LabelMsg("__name__", "b")) + Len(4, "") + Len(2, SampleMsg(1, 1));
  const WriteRequestView& v = ParseBoth(Series(s1) + Series(s2));
  ASSERT_EQ(v.series.size(), 2u);
  EXPECT_EQ(v.series[0].exemplars, 2u);
  EXPECT_EQ(v.series[0].histograms, 1u);
  EXPECT_EQ(v.series[1].exemplars, 0u);
  EXPECT_EQ(v.series[1].histograms, 1u);
  EXPECT_EQ(v.exemplar_count, 2u);
  EXPECT_EQ(v.histogram_count, 2u);
  EXPECT_EQ(v.labels.size(), 2u);  // exemplar labels are not series labels
}

TEST(RequestDecoderTest, MalformedHistogramsAndExemplarsAreRejected) {
  EXPECT_THAT(RejectBoth(Series(Len(4, Len(10, std::string(7, '\0'))))),
              StatusIs(StatusCode::kInvalidArgument,
                       "protobuf: offset 4: packed field 10: length 7 is not a multiple of 8 in Histogram"));
  EXPECT_THAT(RejectBoth(Series(Len(4, Len(9, "\x01\x80")))),
              StatusIs(StatusCode::kInvalidArgument, "protobuf: offset 7: truncated varint in Histogram"));
  EXPECT_THAT(RejectBoth(Series(Len(4, Len(11, VarintField(1, 1) + "\x08\x80")))),
              StatusIs(StatusCode::kInvalidArgument, "protobuf: offset 9: truncated varint in BucketSpan"));
  EXPECT_THAT(
      RejectBoth(Series(Len(3, Len(1, Tag(3, 7))))),
      StatusIs(StatusCode::kInvalidArgument, "protobuf: offset 6: field 3: invalid wire type 7 in Label"));
}

TEST(RequestDecoderTest, MalformedBytesAreRejectedWithOffsetAndReason) {
  struct Case {
    std::string bytes;
    std::string message;
  };
  const Case cases[] = {
      {"\x0a"s, "protobuf: offset 1: truncated length in WriteRequest"},
      {"\x0a\x05\x0a\x00"s, "protobuf: offset 1: length 5 exceeds the 2 bytes left in WriteRequest"},
      {"\x0a\x03\x0a\x05\x0a"s, "protobuf: offset 3: length 5 exceeds the 1 bytes left in TimeSeries"},
      {"\x0a\x03\x12\x01\x10"s, "protobuf: offset 5: truncated varint in Sample"},
      {"\x0a\x04\x12\x02\x09\x00"s, "protobuf: offset 5: truncated fixed64 in Sample"},
      {"\x08" + std::string(10, '\x80') + "\x01",
       "protobuf: offset 1: varint longer than 10 bytes in WriteRequest"},
      {std::string(5, '\x80') + "\x01", "protobuf: offset 0: tag longer than 5 bytes in WriteRequest"},
      {"\x80"s, "protobuf: offset 0: truncated tag in WriteRequest"},
      {"\x0a\x01\x00"s, "protobuf: offset 2: tag 0 in TimeSeries"},
      {"\x00"s, "protobuf: offset 0: tag 0 in WriteRequest"},
      {"\x01\x00\x00\x00\x00\x00\x00\x00\x00"s, "protobuf: offset 0: field number 0 in WriteRequest"},
      {"\x0e"s, "protobuf: offset 0: field 1: invalid wire type 6 in WriteRequest"},
      {"\x0a\x02\x0a\x00\x0f"s, "protobuf: offset 4: field 1: invalid wire type 7 in WriteRequest"},
      {"\x0a\x02\x12\x00\x1c"s,
       "protobuf: offset 4: end-group tag of field 3 outside a group in WriteRequest"},
      {"\x0a\x02\x1c\x00"s, "protobuf: offset 2: end-group tag of field 3 outside a group in TimeSeries"},
      {"\x1b\x08\x01"s, "protobuf: offset 0: group of field 3 not closed in WriteRequest"},
      {"\x0a\x03\x12\x01\x10\x12\x00"s, "protobuf: offset 5: truncated varint in Sample"},
      {"\x0a\x02\x0a\x02\x0a\x00"s, "protobuf: offset 3: length 2 exceeds the 0 bytes left in TimeSeries"},
      {"\x0a\x01\x0b\x0c"s, "protobuf: offset 2: group of field 1 not closed in TimeSeries"},
      {"\x0a\x85\x80\x80\x80\x08"s, "protobuf: offset 1: length 2147483653 too large in WriteRequest"},
      {"\x0a\x80\x80\x80\x80\x80\x01"s, "protobuf: offset 1: length longer than 5 bytes in WriteRequest"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(RejectBoth(c.bytes), StatusIs(StatusCode::kInvalidArgument, c.message)) << c.message;
  }
  EXPECT_THAT(
      RejectBoth("\x1b\x24"),
      StatusIs(StatusCode::kInvalidArgument,
               "protobuf: offset 1: end-group tag of field 4 closes group of field 3 in WriteRequest"));
}

// Groups nested `n` deep at the top level.
std::string NestedGroups(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s = Group(1, s);
  return s;
}

TEST(RequestDecoderTest, NestingIsLimitedLikeProtobufsRecursionLimit) {
  ParseBoth(NestedGroups(100));
  EXPECT_THAT(RejectBoth(NestedGroups(101)),
              StatusIs(StatusCode::kInvalidArgument,
                       "protobuf: offset 100: nesting deeper than 100 in WriteRequest"));
  // Inside a Label (two levels down) only 98 more fit.
  ParseBoth(Series(Len(1, NestedGroups(98))));
  EXPECT_THAT(RejectBoth(Series(Len(1, NestedGroups(99)))),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("nesting deeper than 100 in Label")));
}

TEST(RequestDecoderTest, SnappyErrorsMatchTheCodec) {
  WriteRequestView view;
  EXPECT_THAT(DecodeWriteRequestView("\xff\xff\xff\xff\xff\xff", DecodeLimits{}, &view),
              StatusIs(StatusCode::kInvalidArgument, "snappy: corrupt input"));
  std::string body;
  std::string raw(1000, 'a');
  snappy::Compress(raw.data(), raw.size(), &body);
  body.resize(body.size() - 1);
  EXPECT_THAT(DecodeWriteRequestView(body, DecodeLimits{}, &view),
              StatusIs(StatusCode::kInvalidArgument, "snappy: corrupt input"));
  // A header claiming 1 GB: refused before allocating anything.
  std::string huge = Varint(1000000000) + "\x00";
  DecodeLimits limits;
  limits.max_decoded_bytes = 1 << 20;
  EXPECT_THAT(
      DecodeWriteRequestView(huge, limits, &view),
      StatusIs(StatusCode::kResourceExhausted, "snappy: decoded length 1000000000 exceeds limit 1048576"));
  EXPECT_LT(view.buffer.capacity(), size_t{1} << 20);
  auto codec = DecodeWriteRequest(huge, limits);
  EXPECT_EQ(codec.status().message(), "snappy: decoded length 1000000000 exceeds limit 1048576");
}

WriteRequest MakeRequest(int series, int samples_per_series, int salt) {
  WriteRequest req;
  for (int i = 0; i < series; ++i) {
    TimeSeries ts;
    ts.labels = model::Labels{{"__name__", "metric_" + std::to_string(i % 7)},
                              {"instance", "host-" + std::to_string(salt) + ":9100"},
                              {"series", std::to_string(i)}};
    for (int j = 0; j < samples_per_series; ++j) ts.samples.push_back({1000LL * j + salt, i + j * 0.5});
    req.timeseries.push_back(std::move(ts));
  }
  return req;
}

void ExpectEqual(const WriteRequest& req, const WriteRequestView& v) {
  ASSERT_EQ(v.series.size(), req.timeseries.size());
  size_t samples = 0;
  for (size_t i = 0; i < req.timeseries.size(); ++i) {
    const SeriesView& sv = v.series[i];
    ASSERT_EQ(sv.labels_end - sv.labels_begin, req.timeseries[i].labels.size());
    for (size_t j = 0; j < req.timeseries[i].labels.size(); ++j) {
      EXPECT_EQ(v.labels[sv.labels_begin + j].value, req.timeseries[i].labels[j].value);
    }
    ASSERT_EQ(sv.samples_end - sv.samples_begin, req.timeseries[i].samples.size());
    for (size_t j = 0; j < req.timeseries[i].samples.size(); ++j) {
      EXPECT_EQ(v.samples[sv.samples_begin + j].timestamp_ms, req.timeseries[i].samples[j].timestamp_ms);
    }
    samples += req.timeseries[i].samples.size();
  }
  EXPECT_EQ(v.samples.size(), samples);
}

TEST(RequestDecoderTest, AViewIsReusableAcrossRequestsOfDifferentSizes) {
  const std::string big = EncodeWriteRequest(MakeRequest(500, 4, 1));
  const std::string small = EncodeWriteRequest(MakeRequest(3, 1, 2));
  WriteRequestView view;
  CISTERN_ASSERT_OK(DecodeWriteRequestView(big, DecodeLimits{}, &view));
  ExpectEqual(MakeRequest(500, 4, 1), view);
  CISTERN_ASSERT_OK(DecodeWriteRequestView(small, DecodeLimits{}, &view));
  ExpectEqual(MakeRequest(3, 1, 2), view);
  EXPECT_TRUE(view.metadata.empty());

  // Steady state: a second request of the big size reuses every allocation.
  CISTERN_ASSERT_OK(DecodeWriteRequestView(big, DecodeLimits{}, &view));
  const char* buffer = view.buffer.data();
  const LabelView* labels = view.labels.data();
  const model::Sample* samples = view.samples.data();
  const SeriesView* series = view.series.data();
  CISTERN_ASSERT_OK(DecodeWriteRequestView(small, DecodeLimits{}, &view));
  CISTERN_ASSERT_OK(DecodeWriteRequestView(big, DecodeLimits{}, &view));
  EXPECT_EQ(view.buffer.data(), buffer);
  EXPECT_EQ(view.labels.data(), labels);
  EXPECT_EQ(view.samples.data(), samples);
  EXPECT_EQ(view.series.data(), series);
  ExpectEqual(MakeRequest(500, 4, 1), view);

  // After an error the view is still usable.
  EXPECT_FALSE(DecodeWriteRequestView("\xff", DecodeLimits{}, &view).ok());
  CISTERN_ASSERT_OK(DecodeWriteRequestView(small, DecodeLimits{}, &view));
  ExpectEqual(MakeRequest(3, 1, 2), view);
  view.Clear();
  EXPECT_TRUE(view.series.empty());
  EXPECT_TRUE(view.buffer.empty());
  EXPECT_GT(view.labels.capacity(), 0u);
}

TEST(RequestDecoderTest, ParseMayBeGivenItsOwnBuffer) {
  WriteRequestView view;
  CISTERN_ASSERT_OK(ParseWriteRequestView(Series(Len(1, LabelMsg("a", "b"))), &view));
  CISTERN_ASSERT_OK(ParseWriteRequestView(view.buffer, &view));
  EXPECT_THAT(LabelsOf(view, 0), ::testing::ElementsAre(IsLabel("a", "b")));
}

}  // namespace
}  // namespace cistern::remote

#include "agent/remote/codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <snappy.h>

#include <bit>
#include <cmath>
#include <limits>

#include "tests/testing/status_matchers.h"

namespace cistern::remote {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

uint64_t Bits(double d) { return std::bit_cast<uint64_t>(d); }

TEST(CodecTest, RoundTripPreservesEdgeValuesBitExactly) {
  const double values[] = {0.0,
                           -0.0,
                           1.5,
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           std::nan(""),
                           model::StaleNaN(),
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::max(),
                           -1e-300};
  WriteRequest req;
  TimeSeries ts;
  ts.labels = model::Labels{{"__name__", "m"}, {"job", "n\xc3\xa9"}};
  int64_t t = -5;
  for (double v : values) ts.samples.push_back({t++ * 1000000000000LL, v});
  ts.samples.push_back({std::numeric_limits<int64_t>::max(), 1});
  req.timeseries.push_back(ts);
  req.timeseries.push_back({model::Labels{{"__name__", "empty"}}, {}});
  req.metadata.push_back({MetricType::kCounter, "m", "help text", "seconds"});

  auto got = DecodeWriteRequest(EncodeWriteRequest(req));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->timeseries.size(), 2u);
  const TimeSeries& g = got->timeseries[0];
  EXPECT_EQ(g.labels, ts.labels);
  ASSERT_EQ(g.samples.size(), ts.samples.size());
  for (size_t i = 0; i < ts.samples.size(); ++i) {
    EXPECT_EQ(g.samples[i].timestamp_ms, ts.samples[i].timestamp_ms);
    EXPECT_EQ(Bits(g.samples[i].value), Bits(ts.samples[i].value)) << i;
  }
  EXPECT_TRUE(got->timeseries[1].samples.empty());
  ASSERT_EQ(got->metadata.size(), 1u);
  EXPECT_EQ(got->metadata[0].type, MetricType::kCounter);
  EXPECT_EQ(got->metadata[0].unit, "seconds");
}

TEST(CodecTest, StalenessMarkerBitsSurviveRoundTrip) {
  WriteRequest req;
  req.timeseries.push_back({model::Labels{{"__name__", "up"}}, {{1, model::StaleNaN()}}});
  auto got = DecodeWriteRequest(EncodeWriteRequest(req));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(model::IsStaleNaN(got->timeseries[0].samples[0].value));
}

TEST(CodecTest, EmptyRequestRoundTrips) {
  auto got = DecodeWriteRequest(EncodeWriteRequest(WriteRequest{}));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->timeseries.empty());
}

// The exact protobuf bytes, derived by hand from Prometheus' field numbers:
// WriteRequest.timeseries=1, TimeSeries.labels=1/samples=2, Label.name=1/value=2,
// Sample.value=1 (double), Sample.timestamp=2 (varint).
TEST(CodecTest, WireBytesMatchPrometheusFieldNumbers) {
  const std::string expected(
      "\x0a\x15"                          // timeseries, 21 bytes
      "\x0a\x06"                          //   labels, 6 bytes
      "\x0a\x01" "a" "\x12\x01" "b"       //     name "a", value "b"
      "\x12\x0b"                          //   samples, 11 bytes
      "\x09\x00\x00\x00\x00\x00\x00\xf0\x3f"  // value 1.0
      "\x10\x02",                         //     timestamp 2
      23);
  WriteRequest req;
  req.timeseries.push_back({model::Labels{{"a", "b"}}, {{2, 1.0}}});
  EXPECT_EQ(SerializeWriteRequest(req), expected);
  auto parsed = ParseWriteRequest(expected);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->timeseries[0].labels.Get("a"), "b");
  EXPECT_EQ(parsed->timeseries[0].samples[0].timestamp_ms, 2);
}

TEST(CodecTest, LabelsKeepTheirReceivedOrder) {
  // The receiver must be able to reject unsorted labels, so the codec must not sort them.
  WriteRequest req;
  req.timeseries.push_back({model::Labels::FromSorted({{"z", "1"}, {"a", "2"}}), {}});
  auto parsed = ParseWriteRequest(SerializeWriteRequest(req));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->timeseries[0].labels[0].name, "z");
  EXPECT_FALSE(parsed->timeseries[0].labels.Validate().ok());
}

TEST(CodecTest, CorruptSnappyIsRejected) {
  EXPECT_THAT(DecodeWriteRequest("\xff\xff\xff"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("snappy")));
  std::string body = EncodeWriteRequest(WriteRequest{{{model::Labels{{"a", "b"}}, {{1, 1}}}}});
  body.resize(body.size() - 3);  // truncated
  EXPECT_THAT(DecodeWriteRequest(body), StatusIs(StatusCode::kInvalidArgument, HasSubstr("snappy: corrupt input")));
}

TEST(CodecTest, ValidSnappyOfGarbageProtobufIsRejected) {
  std::string garbage = "\x0a\xff\xff\xff\x0f garbage";
  std::string body;
  snappy::Compress(garbage.data(), garbage.size(), &body);
  EXPECT_THAT(DecodeWriteRequest(body),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("protobuf: cannot parse WriteRequest")));
}

TEST(CodecTest, SnappyLengthBombIsRejectedBeforeAllocating) {
  // A snappy preamble claiming ~4 GiB of output, followed by almost nothing.
  std::string bomb("\xff\xff\xff\xff\x0f\x00\x01", 7);  // 4294967295, the largest snappy allows
  EXPECT_THAT(DecodeWriteRequest(bomb),
              StatusIs(StatusCode::kResourceExhausted, HasSubstr("decoded length 4294967295 exceeds limit")));
  DecodeLimits small;
  small.max_decoded_bytes = 10;
  std::string body = EncodeWriteRequest(WriteRequest{{{model::Labels{{"name", "value-longer"}}, {{1, 1}}}}});
  EXPECT_THAT(DecodeWriteRequest(body, small), StatusIs(StatusCode::kResourceExhausted, HasSubstr("exceeds limit 10")));
}

}  // namespace
}  // namespace cistern::remote

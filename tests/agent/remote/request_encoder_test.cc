#include "agent/remote/request_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "agent/model/sample.h"
#include "agent/remote/codec.h"

namespace cistern::remote {
namespace {

TEST(RequestEncoderTest, BytesAreExactlyWhatProtobufSerializes) {
  WriteRequest req;
  req.timeseries.push_back({model::Labels{{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"mode", "idle"}},
                            {{1700000000000, 12345.5}, {1700000015000, 12360.25}}});
  // Edge values: zero value and timestamp (proto3 leaves them out), -0.0
  // (written), negative timestamps (10-byte varints), NaN, the staleness
  // marker, infinities, an empty label value, a long value (2-byte lengths).
  req.timeseries.push_back({model::Labels{{"__name__", "edge"}, {"empty", ""}, {"long", std::string(300, 'x')}},
                            {{0, 0.0},
                             {-1, -0.0},
                             {-9223372036854775807LL, std::numeric_limits<double>::infinity()},
                             {5, -std::numeric_limits<double>::infinity()},
                             {6, std::nan("")},
                             {7, model::StaleNaN()}}});
  req.timeseries.push_back({model::Labels{{"__name__", "no_samples"}}, {}});
  std::string want = EncodeWriteRequest(req);
  RequestEncoder enc;
  for (const TimeSeries& ts : req.timeseries) enc.Add(ts.labels, ts.samples);
  std::string got;
  enc.Finish(&got);
  EXPECT_EQ(got, want);
  EXPECT_TRUE(enc.empty());
  auto back = DecodeWriteRequest(got);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->timeseries.size(), 3u);
  EXPECT_EQ(back->timeseries[1].samples[2].timestamp_ms, -9223372036854775807LL);
  EXPECT_TRUE(model::IsStaleNaN(back->timeseries[1].samples[5].value));
  EXPECT_TRUE(std::signbit(back->timeseries[1].samples[1].value));
}

TEST(RequestEncoderTest, TheEncoderIsReusableAfterFinish) {
  RequestEncoder enc;
  model::Labels l{{"__name__", "m"}};
  std::vector<model::Sample> s{{1000, 1}};
  enc.Add(l, s);
  std::string first, second;
  enc.Finish(&first);
  enc.Add(l, s);
  enc.Finish(&second);
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace cistern::remote

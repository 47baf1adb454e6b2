#include "agent/wal/sample_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "agent/model/sample.h"

namespace cistern::wal {
namespace {

TEST(SampleCodecTest, SamplesRoundTripBitExactlyAcrossRecords) {
  const double values[] = {0.0, -0.0, 1.5, std::nan(""), model::StaleNaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::denorm_min(),
                           12345.67, 12346.5, 1e300};
  XorState wstate, rstate;
  for (int round = 0; round < 3; ++round) {
    std::vector<SampleRef> in;
    int64_t t = 1700000000000 + round * 15000;
    for (size_t i = 0; i < std::size(values); ++i) {
      // Out-of-order timestamps, large gaps and repeated refs in one batch.
      in.push_back({i + 1, t - static_cast<int64_t>(i) * 999999, values[(i + round) % std::size(values)]});
    }
    in.push_back({1, t + 5, 42});
    std::string rec;
    EncodeSamples(static_cast<uint32_t>(round), in, &wstate, &rec);
    DecodedRecord out;
    ASSERT_TRUE(DecodeRecord(rec, &rstate, &out).ok());
    EXPECT_EQ(out.seq, static_cast<uint32_t>(round));
    ASSERT_EQ(out.samples.size(), in.size());
    EXPECT_EQ(out.undecodable, 0u);
    for (size_t i = 0; i < in.size(); ++i) {
      EXPECT_EQ(out.samples[i].ref, in[i].ref);
      EXPECT_EQ(out.samples[i].timestamp_ms, in[i].timestamp_ms);
      EXPECT_EQ(std::bit_cast<uint64_t>(out.samples[i].value), std::bit_cast<uint64_t>(in[i].value)) << i;
    }
  }
}

TEST(SampleCodecTest, LostRecordMakesDependentSamplesUndecodableNeverWrong) {
  XorState wstate, rstate;
  std::string r1, r2, r3;
  EncodeSamples(0, std::vector<SampleRef>{{1, 1, 10.0}, {2, 1, 20.0}}, &wstate, &r1);
  EncodeSamples(1, std::vector<SampleRef>{{1, 2, 11.0}, {2, 2, 21.0}}, &wstate, &r2);
  wstate.erase(2);  // as after an epoch reset for series 2: its next value is stored in full
  EncodeSamples(2, std::vector<SampleRef>{{1, 3, 12.0}, {2, 3, 22.0}}, &wstate, &r3);
  DecodedRecord out;
  ASSERT_TRUE(DecodeRecord(r1, &rstate, &out).ok());
  // r2 is lost: the reader clears its state, as it does on a sequence gap.
  rstate.clear();
  ASSERT_TRUE(DecodeRecord(r3, &rstate, &out).ok());
  ASSERT_EQ(out.samples.size(), 1u);
  EXPECT_EQ(out.samples[0].ref, 2u);
  EXPECT_EQ(out.samples[0].value, 22.0);
  EXPECT_EQ(out.undecodable, 1u);
}

TEST(SampleCodecTest, ExtremeTimestampsInOneBatchRoundTrip) {
  XorState w, r;
  std::vector<SampleRef> in = {{1, INT64_MAX, 1}, {2, INT64_MIN, 2}, {3, 0, 3}, {4, -1, 4}};
  std::string rec;
  EncodeSamples(0, in, &w, &rec);
  DecodedRecord out;
  ASSERT_TRUE(DecodeRecord(rec, &r, &out).ok());
  ASSERT_EQ(out.samples.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out.samples[i].timestamp_ms, in[i].timestamp_ms);
}

TEST(SampleCodecTest, SeriesRecordsRoundTrip) {
  std::vector<SeriesEntry> in = {{5, model::Labels{{"__name__", "up"}, {"job", "node"}}},
                                 {9, model::Labels{{"__name__", "x"}, {"a", std::string(300, 'v')}}},
                                 {6, model::Labels{}}};
  std::string rec;
  EncodeSeries(7, in, &rec);
  XorState st;
  DecodedRecord out;
  ASSERT_TRUE(DecodeRecord(rec, &st, &out).ok());
  EXPECT_EQ(out.type, kSeriesRecord);
  EXPECT_EQ(out.seq, 7u);
  ASSERT_EQ(out.series.size(), 3u);
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out.series[i].ref, in[i].ref);
    EXPECT_EQ(out.series[i].labels, in[i].labels);
  }
}

TEST(SampleCodecTest, MalformedPayloadsAreDataLossNotCrashes) {
  XorState st;
  DecodedRecord out;
  EXPECT_EQ(DecodeRecord("", &st, &out).code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecodeRecord("\x09garbage", &st, &out).code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecodeRecord("\x02garbage", &st, &out).code(), StatusCode::kDataLoss);
  std::string rec;
  EncodeSamples(0, std::vector<SampleRef>{{1, 1, 1.0}}, &st, &rec);
  rec.resize(rec.size() - 2);
  EXPECT_EQ(DecodeRecord(rec, &st, &out).code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace cistern::wal

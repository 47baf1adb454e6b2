#include "agent/tsdb/xor_chunk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "agent/model/sample.h"
#include "agent/tsdb/chunk_format.h"

namespace cistern::tsdb {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

XorChunk Build(const std::vector<model::Sample>& samples) {
  XorChunk c;
  for (const auto& s : samples) c.Append(s.timestamp_ms, s.value);
  return c;
}

void ExpectRoundTrip(const std::vector<model::Sample>& in) {
  XorChunk c = Build(in);
  EXPECT_EQ(c.num_samples(), static_cast<int>(in.size()));
  XorIterator it(c.bytes());
  for (size_t i = 0; i < in.size(); ++i) {
    ASSERT_TRUE(it.Next()) << "sample " << i << ": " << it.Err().ToString();
    EXPECT_EQ(it.At().timestamp_ms, in[i].timestamp_ms) << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(it.At().value), std::bit_cast<uint64_t>(in[i].value)) << i;
  }
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.Err().ok()) << it.Err().ToString();
}

TEST(XorChunkTest, WorkedExampleFromFormatDocIsByteExact) {
  XorChunk c = Build({{1000, 1.0}, {2000, 1.0}, {3000, 2.0}});
  const unsigned char want[] = {0x00, 0x03, 0xd0, 0x0f, 0x3f, 0xf0, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0xe8, 0x07, 0x30, 0x97, 0xff, 0xc0};
  EXPECT_EQ(c.bytes(), std::string_view(reinterpret_cast<const char*>(want), sizeof(want)));
}

TEST(XorChunkTest, EmptyChunkIsJustTheHeaderAndYieldsNothing) {
  XorChunk c;
  EXPECT_EQ(c.bytes().size(), kChunkHeaderSize);
  XorIterator it(c.bytes());
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.Seek(0));
  EXPECT_TRUE(it.Err().ok());
}

TEST(XorChunkTest, EdgeValuesRoundTripBitExactly) {
  const double values[] = {0.0,
                           -0.0,
                           std::nan(""),
                           model::StaleNaN(),
                           std::bit_cast<double>(uint64_t{0x7ff8000000000001}),  // another NaN payload
                           kInf,
                           -kInf,
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::min(),
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::lowest(),
                           1e-300,
                           -1e300,
                           42,
                           42,
                           42,
                           model::StaleNaN(),
                           model::StaleNaN(),
                           0.1 + 0.2};
  std::vector<model::Sample> in;
  int64_t t = 1700000000000;
  for (double v : values) in.push_back({t += 15000, v});
  ExpectRoundTrip(in);
}

TEST(XorChunkTest, StaleMarkerKeepsItsExactBitPattern) {
  XorChunk c = Build({{1, 1.5}, {2, model::StaleNaN()}, {3, std::nan("")}});
  XorIterator it(c.bytes());
  ASSERT_TRUE(it.Seek(2));
  EXPECT_TRUE(model::IsStaleNaN(it.At().value));
  ASSERT_TRUE(it.Next());
  EXPECT_TRUE(std::isnan(it.At().value));
  EXPECT_FALSE(model::IsStaleNaN(it.At().value));
}

TEST(XorChunkTest, DeltaOfDeltaBucketEdgesRoundTrip) {
  // dods at and around each bucket's limits: [-(2^(n-1)-1), 2^(n-1)].
  std::vector<int64_t> dods = {0, 1, -1};
  for (int bits : kDodBits) {
    int64_t half = int64_t{1} << (bits - 1);
    for (int64_t d : {half, half + 1, -(half - 1), -half, -(half + 1)}) dods.push_back(d);
  }
  dods.push_back(int64_t{1} << 40);
  dods.push_back(-(int64_t{1} << 40));
  std::vector<model::Sample> in{{0, 0}, {1000000000000, 1}};
  int64_t delta = 1000000000000;
  for (int64_t d : dods) {
    delta += d;
    in.push_back({in.back().timestamp_ms + delta, static_cast<double>(in.size())});
  }
  ExpectRoundTrip(in);
}

TEST(XorChunkTest, ExtremeAndNegativeTimestampsRoundTrip) {
  ExpectRoundTrip({{storage::kMinTime, 1}, {-5, 2}, {0, 3}, {storage::kMaxTime, 4}});
  ExpectRoundTrip({{-1700000000000, 1}, {-1699999985000, 2}, {-1699999970000, 3}});
  // The chunk itself does not require order (the head does): still exact.
  ExpectRoundTrip({{100, 1}, {50, 2}, {storage::kMaxTime, 3}, {storage::kMinTime, 4}, {7, 5}});
}

TEST(XorChunkTest, RandomSeriesRoundTrip) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<model::Sample> in;
    int64_t t = static_cast<int64_t>(rng() % 2000000000000);
    double v = 100;
    int n = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      switch (rng() % 6) {
        case 0:
          t += 15000;
          break;
        case 1:
          t += 15000 + static_cast<int64_t>(rng() % 200) - 100;
          break;
        case 2:
          t += static_cast<int64_t>(rng() % 100000000);
          break;
        default:
          t += 1 + static_cast<int64_t>(rng() % 30000);
          break;
      }
      switch (rng() % 5) {
        case 0:
          break;  // unchanged
        case 1:
          v += 1;
          break;
        case 2:
          v = std::bit_cast<double>(rng());
          break;
        default:
          v *= 1.0001;
          break;
      }
      in.push_back({t, v});
    }
    ExpectRoundTrip(in);
  }
}

TEST(XorChunkTest, SeekFindsFirstSampleAtOrAfterAndNeverMovesBack) {
  XorChunk c = Build({{10, 1}, {20, 2}, {30, 3}, {40, 4}});
  XorIterator it(c.bytes());
  ASSERT_TRUE(it.Seek(25));
  EXPECT_EQ(it.At().timestamp_ms, 30);
  ASSERT_TRUE(it.Seek(10));  // backwards: stays on 30
  EXPECT_EQ(it.At().timestamp_ms, 30);
  ASSERT_TRUE(it.Seek(30));
  EXPECT_EQ(it.At().value, 3);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.At().timestamp_ms, 40);
  EXPECT_FALSE(it.Seek(41));
  EXPECT_FALSE(it.Next());
  XorIterator first(c.bytes());
  ASSERT_TRUE(first.Seek(storage::kMinTime));
  EXPECT_EQ(first.At().timestamp_ms, 10);
}

TEST(XorChunkTest, HeaderCountsSamplesBigEndian) {
  XorChunk c;
  for (int i = 0; i < 300; ++i) c.Append(i * 15000, i);
  EXPECT_EQ(static_cast<uint8_t>(c.bytes()[0]), 0x01);
  EXPECT_EQ(static_cast<uint8_t>(c.bytes()[1]), 0x2c);
  EXPECT_EQ(c.min_time(), 0);
  EXPECT_EQ(c.max_time(), 299 * 15000);
}

TEST(XorChunkTest, TruncatedChunkIsDataLossNotACrash) {
  XorChunk c = Build({{1000, 1}, {2000, 2.5}, {3000, -7}, {4500, 1e10}});
  std::string bytes(c.bytes());
  for (size_t len = 0; len < bytes.size(); ++len) {
    XorIterator it(std::string_view(bytes.data(), len));
    int n = 0;
    while (it.Next()) ++n;
    EXPECT_LT(n, 4) << len;
    EXPECT_EQ(it.Err().code(), StatusCode::kDataLoss) << len;
  }
}

TEST(XorChunkTest, RegularScrapeDataIsSmall) {
  // A counter scraped every 15 s: ~1-2 bytes per sample.
  XorChunk c;
  double v = 1000;
  for (int i = 0; i < 120; ++i) c.Append(1700000000000 + i * 15000, v += (i % 3));
  EXPECT_LT(c.bytes().size(), 120u * 3);
}

}  // namespace
}  // namespace cistern::tsdb

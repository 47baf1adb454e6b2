#include "plugins/webvitals/rate_limiter.h"

#include <gtest/gtest.h>

namespace cistern::plugins::webvitals {
namespace {

TEST(RateLimiterTest, AClientGetsItsBurstThenTheRate) {
  RateLimiter l(10, 10);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(l.Allow("1.2.3.4", 0)) << i;
  EXPECT_FALSE(l.Allow("1.2.3.4", 0));
  EXPECT_FALSE(l.Allow("1.2.3.4", 50));  // half a token back
  EXPECT_TRUE(l.Allow("1.2.3.4", 100));  // one token per 100 ms
  EXPECT_FALSE(l.Allow("1.2.3.4", 100));
  EXPECT_TRUE(l.Allow("1.2.3.4", 5000));
}

TEST(RateLimiterTest, ClientsAreLimitedSeparately) {
  RateLimiter l(1, 1);
  EXPECT_TRUE(l.Allow("a", 0));
  EXPECT_FALSE(l.Allow("a", 0));
  EXPECT_TRUE(l.Allow("b", 0));
}

TEST(RateLimiterTest, ZeroRateMeansNoLimit) {
  RateLimiter l(0, 0);
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(l.Allow("a", 0));
  EXPECT_EQ(l.clients(), 0u);
}

TEST(RateLimiterTest, ClientsWhoseBucketRefilledAreForgotten) {
  RateLimiter l(10, 10);
  for (int i = 0; i < 100; ++i) l.Allow("c" + std::to_string(i), 0);
  EXPECT_EQ(l.clients(), 100u);
  l.Sweep(50);
  EXPECT_EQ(l.clients(), 100u);
  l.Sweep(100);  // one token per 100 ms: full again
  EXPECT_EQ(l.clients(), 0u);
}

TEST(RateLimiterTest, PastMaxClientsNewClientsShareOneBucket) {
  RateLimiter l(1, 1, 2);
  EXPECT_TRUE(l.Allow("a", 0));
  EXPECT_TRUE(l.Allow("b", 0));
  EXPECT_TRUE(l.Allow("c", 0));   // the shared bucket's token
  EXPECT_FALSE(l.Allow("d", 0));  // shared with c
  EXPECT_EQ(l.clients(), 2u);
}

TEST(ClientKeyTest, Ipv4DropsThePortAndIpv6KeepsTheSlash64) {
  EXPECT_EQ(ClientKey("203.0.113.7:51234"), "203.0.113.7");
  EXPECT_EQ(ClientKey("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(ClientKey("[2001:db8:1:2:3:4:5:6]:443"), "2001:0db8:0001:0002::/64");
  EXPECT_EQ(ClientKey("2001:db8:1:2:ffff::1"), "2001:0db8:0001:0002::/64");
  EXPECT_EQ(ClientKey("[::ffff:192.0.2.1]:80"), "192.0.2.1");
}

}  // namespace
}  // namespace cistern::plugins::webvitals

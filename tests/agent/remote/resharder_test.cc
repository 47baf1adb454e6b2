#include "agent/remote/resharder.h"

#include <gtest/gtest.h>

namespace cistern::remote {
namespace {

ReshardInputs Steady(double in, double out, double send_seconds) {
  ReshardInputs r;
  r.elapsed_s = 10;
  r.samples_in = in;
  r.samples_out = out;
  r.send_seconds = send_seconds;
  return r;
}

TEST(ResharderTest, ABacklogAsksForMaxShards) {
  Resharder r(1, 8);
  ReshardInputs in = Steady(1000, 1000, 0.1);
  in.backlog = true;
  EXPECT_EQ(r.Update(in, 1), 8u);
}

TEST(ResharderTest, FailingSendsKeepTheCount) {
  Resharder r(1, 8);
  ReshardInputs in = Steady(0, 0, 30);
  in.failing = true;
  in.backlog = true;
  EXPECT_EQ(r.Update(in, 3), 3u);
}

TEST(ResharderTest, CaughtUpAndFastGoesBackToMinShards) {
  Resharder r(1, 8);
  // 10k samples/s in and out, 0.2 s spent sending per second: one shard is plenty.
  EXPECT_EQ(r.Update(Steady(100000, 100000, 2), 8), 1u);
}

TEST(ResharderTest, SlowRequestsAskForMoreShards) {
  Resharder r(1, 16);
  // Sending takes 3.5 s per second of wall time: about four requests must be in flight.
  EXPECT_EQ(r.Update(Steady(100000, 100000, 35), 1), 4u);
}

TEST(ResharderTest, SmallChangesStayInTheDeadBand) {
  Resharder r(1, 16);
  EXPECT_EQ(r.Update(Steady(100000, 100000, 44), 4), 4u);  // wants 4.4
  Resharder r2(1, 16);
  EXPECT_EQ(r2.Update(Steady(100000, 100000, 60), 4), 6u);  // wants 6
}

TEST(ResharderTest, TheCountStaysWithinMinAndMax) {
  Resharder r(2, 3);
  EXPECT_EQ(r.Update(Steady(100000, 100000, 0.01), 2), 2u);
  EXPECT_EQ(r.Update(Steady(100000, 100000, 500), 2), 3u);
}

}  // namespace
}  // namespace cistern::remote

#include "plugins/container/cgroup_parsers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace cistern::plugins::container {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseFlatKeyedTest, ReadsV2CpuStat) {
  auto m = ParseFlatKeyed(
      "usage_usec 123456789\nuser_usec 100000000\nsystem_usec 23456789\ncore_sched.force_idle_usec 0\n"
      "nr_periods 5000\nnr_throttled 120\nthrottled_usec 4500000\nnr_bursts 0\nburst_usec 0\n");
  CISTERN_ASSERT_OK(m);
  EXPECT_EQ(m->at("usage_usec"), 123456789u);
  EXPECT_EQ(m->at("throttled_usec"), 4500000u);
  EXPECT_EQ(m->at("core_sched.force_idle_usec"), 0u);
}

TEST(ParseFlatKeyedTest, ReadsV1CpuacctStatAndCpuStat) {
  auto acct = ParseFlatKeyed("user 126940\nsystem 26117\n");
  CISTERN_ASSERT_OK(acct);
  EXPECT_EQ(acct->at("user"), 126940u);
  auto cpu = ParseFlatKeyed("nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n");
  CISTERN_ASSERT_OK(cpu);
  EXPECT_EQ(cpu->size(), 5u);
}

TEST(ParseFlatKeyedTest, ReadsV1MemoryStatWithHierarchicalTotals) {
  auto m = ParseFlatKeyed(
      "cache 11440128\nrss 7811072\nhierarchical_memory_limit 9223372036854771712\ntotal_cache 842526720\n"
      "total_inactive_file 258879488\n");
  CISTERN_ASSERT_OK(m);
  EXPECT_EQ(m->at("hierarchical_memory_limit"), 9223372036854771712u);
  EXPECT_EQ(m->at("total_inactive_file"), 258879488u);
}

TEST(ParseFlatKeyedTest, MalformedLineIsAnErrorNamingTheLine) {
  EXPECT_THAT(
      ParseFlatKeyed("anon 4096\nfile lots\n"),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: expected \"key value\", got \"file lots\"")));
  EXPECT_THAT(ParseFlatKeyed("anon 4096 8192\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 1")));
  EXPECT_THAT(ParseFlatKeyed("anon -1\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 1")));
}

TEST(ParseFlatKeyedTest, EmptyFileHasNoKeys) {
  auto m = ParseFlatKeyed("");
  CISTERN_ASSERT_OK(m);
  EXPECT_TRUE(m->empty());
}

TEST(ParseCounterTest, ReadsOneIntegerWithTrailingNewline) {
  EXPECT_EQ(*ParseCounter("98765432100\n"), 98765432100u);
  EXPECT_EQ(*ParseCounter("18446744073709551615\n"), UINT64_MAX);
  EXPECT_THAT(ParseCounter("max\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("got \"max\"")));
  EXPECT_THAT(ParseCounter(""), StatusIs(StatusCode::kInvalidArgument, HasSubstr("unsigned integer")));
  EXPECT_THAT(ParseCounter("12 34\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("unsigned integer")));
}

TEST(ParseLimitTest, MaxMeansUnlimited) {
  auto max = ParseLimit("max\n");
  CISTERN_ASSERT_OK(max);
  EXPECT_FALSE(max->has_value());
  auto v = ParseLimit("536870912\n");
  CISTERN_ASSERT_OK(v);
  EXPECT_EQ(v->value(), 536870912u);
  EXPECT_THAT(ParseLimit("-1\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"max\"")));
}

TEST(ParseCfsQuotaV1Test, MinusOneMeansNoQuota) {
  auto none = ParseCfsQuotaV1("-1\n");
  CISTERN_ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(ParseCfsQuotaV1("150000\n")->value(), 150000u);
  EXPECT_THAT(ParseCfsQuotaV1("-2\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("-1")));
}

TEST(ParseCpuMaxTest, ReadsQuotaAndPeriod) {
  auto set = ParseCpuMax("50000 100000\n");
  CISTERN_ASSERT_OK(set);
  EXPECT_EQ(set->quota_us.value(), 50000u);
  EXPECT_EQ(set->period_us, 100000u);
}

TEST(ParseCpuMaxTest, MaxQuotaMeansNone) {
  auto none = ParseCpuMax("max 100000\n");
  CISTERN_ASSERT_OK(none);
  EXPECT_FALSE(none->quota_us.has_value());
  EXPECT_EQ(none->period_us, 100000u);
}

TEST(ParseCpuMaxTest, MalformedIsAnError) {
  EXPECT_THAT(ParseCpuMax("50000\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("$QUOTA $PERIOD")));
  EXPECT_THAT(ParseCpuMax("max max\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("$QUOTA $PERIOD")));
}

TEST(ParseUintListTest, ReadsCpuacctUsagePercpu) {
  auto v = ParseUintList("4000000000 3500000000 0 0 \n");
  CISTERN_ASSERT_OK(v);
  EXPECT_THAT(*v, ElementsAre(4000000000u, 3500000000u, 0u, 0u));
  EXPECT_THAT(ParseUintList("1 x\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("unsigned integers")));
}

TEST(ParseProcsTest, ReadsPidsInOrder) {
  auto v = ParseProcs("4242\n4243\n");
  CISTERN_ASSERT_OK(v);
  EXPECT_THAT(*v, ElementsAre(4242, 4243));
  EXPECT_TRUE(ParseProcs("")->empty());
  EXPECT_THAT(ParseProcs("12\nabc\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: expected a pid")));
}

TEST(ParseBlkioV1Test, ReadsEveryOperationAndSkipsTheTotalLine) {
  auto v = ParseBlkioV1(
      "8:0 Read 2097152\n8:0 Write 8192\n8:0 Sync 8192\n8:0 Async 2097152\n8:0 Discard 0\n8:0 Total 2105344\n"
      "253:0 Read 4096\nTotal 2109440\n");
  CISTERN_ASSERT_OK(v);
  ASSERT_EQ(v->size(), 7u);
  EXPECT_EQ((*v)[0], (BlkioEntry{8, 0, "Read", 2097152}));
  EXPECT_EQ((*v)[5], (BlkioEntry{8, 0, "Total", 2105344}));
  EXPECT_EQ((*v)[6], (BlkioEntry{253, 0, "Read", 4096}));
}

TEST(ParseBlkioV1Test, AnIdleCgroupHasOnlyTheTotalLine) {
  auto v = ParseBlkioV1("Total 0\n");
  CISTERN_ASSERT_OK(v);
  EXPECT_TRUE(v->empty());
}

TEST(ParseBlkioV1Test, MalformedLineIsAnError) {
  EXPECT_THAT(ParseBlkioV1("8:0 Read\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 1: expected")));
  EXPECT_THAT(ParseBlkioV1("8-0 Read 1\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("MAJ:MIN")));
}

TEST(ParseIoStatV2Test, MapsBytesAndIosToV1Operations) {
  auto v = ParseIoStatV2(
      "8:0 rbytes=1048576 wbytes=4096 rios=32 wios=1 dbytes=0 dios=0\n"
      "253:0 rbytes=7 wbytes=8 rios=9 wios=10 dbytes=11 dios=12\n");
  CISTERN_ASSERT_OK(v);
  EXPECT_THAT(v->bytes, ElementsAre(BlkioEntry{8, 0, "Read", 1048576}, BlkioEntry{8, 0, "Write", 4096},
                                    BlkioEntry{253, 0, "Read", 7}, BlkioEntry{253, 0, "Write", 8}));
  EXPECT_THAT(v->ios, ElementsAre(BlkioEntry{8, 0, "Read", 32}, BlkioEntry{8, 0, "Write", 1},
                                  BlkioEntry{253, 0, "Read", 9}, BlkioEntry{253, 0, "Write", 10}));
}

TEST(ParseIoStatV2Test, IgnoresKeysItDoesNotUseEvenWhenNotIntegers) {
  // blk-iocost adds "cost.*" keys, some of them decimals.
  auto v =
      ParseIoStatV2("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0 cost.vrate=135.89 cost.usage=12\n");
  CISTERN_ASSERT_OK(v);
  EXPECT_EQ(v->bytes.size(), 2u);
}

TEST(ParseIoStatV2Test, MalformedLineIsAnError) {
  EXPECT_THAT(ParseIoStatV2("8:0 rbytes=x\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 1")));
  EXPECT_THAT(ParseIoStatV2("sda rbytes=1\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("MAJ:MIN")));
  EXPECT_THAT(ParseIoStatV2("8:0 rbytes\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("key=value")));
}

TEST(ParseControllersTest, SplitsOnSpaces) {
  EXPECT_THAT(ParseControllers("cpuset cpu io memory pids\n"),
              ElementsAre("cpuset", "cpu", "io", "memory", "pids"));
  EXPECT_TRUE(ParseControllers("\n").empty());
}

}  // namespace
}  // namespace cistern::plugins::container

#include <gtest/gtest.h>

#include "plugins/host/proc_text.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ProcTextTest, FieldsSplitOnAnyRunOfAsciiWhitespace) {
  EXPECT_THAT(Fields("  cpu0\t1  2\r\n"), ElementsAre("cpu0", "1", "2"));
  EXPECT_TRUE(Fields(" \t\n").empty());
  EXPECT_EQ(TrimSpace("\t tsc \n"), "tsc");
}

TEST(ProcTextTest, LinesDropCarriageReturnsAndNoEmptyLastLine) {
  EXPECT_THAT(Lines("a\r\n\nb\n"), ElementsAre("a", "", "b"));
  EXPECT_THAT(Lines("a\nb"), ElementsAre("a", "b"));
  EXPECT_TRUE(Lines("").empty());
}

TEST(ProcTextTest, ParseUintTakesDecimalDigitsOnly) {
  uint64_t v = 0;
  EXPECT_TRUE(ParseUint("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_FALSE(ParseUint("18446744073709551616", &v));
  EXPECT_FALSE(ParseUint("+1", &v));
  EXPECT_FALSE(ParseUint("-1", &v));
  EXPECT_FALSE(ParseUint("1 ", &v));
  EXPECT_FALSE(ParseUint("", &v));
}

TEST(ProcTextTest, ParseFloatTakesTheFormsProcPrints) {
  double v = 0;
  EXPECT_TRUE(ParseFloat("0.21", &v));
  EXPECT_DOUBLE_EQ(v, 0.21);
  EXPECT_TRUE(ParseFloat("+5", &v));
  EXPECT_EQ(v, 5);
  EXPECT_TRUE(ParseFloat("-1e3", &v));
  EXPECT_EQ(v, -1000);
  EXPECT_TRUE(ParseFloat("7.", &v));
  EXPECT_EQ(v, 7);
  EXPECT_FALSE(ParseFloat("1/719", &v));
  EXPECT_FALSE(ParseFloat("+-1", &v));
  EXPECT_FALSE(ParseFloat("", &v));
}

TEST(ProcTextTest, ReadUintFileTrimsAndNamesTheFileOnGarbage) {
  cistern::testing::TempDir dir;
  auto v = ReadUintFile(dir.WriteFile("n", " 42\n"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 42u);
  std::string bad = dir.WriteFile("bad", "x\n");
  EXPECT_THAT(ReadUintFile(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr(bad)));
  EXPECT_THAT(ReadUintFile(dir.Join("missing")), StatusIs(StatusCode::kNotFound, HasSubstr("missing")));
}

TEST(ProcTextTest, ListDirIsSortedByNameAndNotFoundWhenMissing) {
  cistern::testing::TempDir dir;
  dir.WriteFile("cpu10/x", "");
  dir.WriteFile("cpu2/x", "");
  dir.WriteFile("cpu1", "");
  auto names = ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(*names, ElementsAre("cpu1", "cpu10", "cpu2"));
  EXPECT_THAT(ListDir(dir.Join("nope")), StatusIs(StatusCode::kNotFound, HasSubstr("nope")));
}

TEST(ProcTextTest, AfterEmitTurnsNotFoundIntoAFailure) {
  EXPECT_EQ(AfterEmit(NotFoundError("x")).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(AfterEmit(NotFoundError("x")).message(), "x");
  EXPECT_EQ(AfterEmit(UnavailableError("y")).code(), StatusCode::kUnavailable);
  EXPECT_TRUE(AfterEmit(OkStatus()).ok());
}

}  // namespace
}  // namespace cistern::plugins::host

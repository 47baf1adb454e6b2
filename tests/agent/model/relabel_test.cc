#include "agent/model/relabel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace cistern::model {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

Relabeler MustCompile(std::vector<RelabelRule> rules) {
  auto r = Relabeler::Compile(rules);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(*r);
}

RelabelRule Rule(RelabelAction a, std::vector<std::string> src, std::string regex, std::string target = "",
                 std::string replacement = "$1") {
  RelabelRule r;
  r.action = a;
  r.source_labels = std::move(src);
  r.regex = std::move(regex);
  r.target_label = std::move(target);
  r.replacement = std::move(replacement);
  return r;
}

TEST(RelabelTest, DropAndKeepUseFullyAnchoredRegex) {
  Labels go{{"__name__", "go_goroutines"}};
  Labels node{{"__name__", "node_load1"}};
  Relabeler drop = MustCompile({Rule(RelabelAction::kDrop, {"__name__"}, "go_.*")});
  Labels l = go;
  EXPECT_FALSE(drop.Apply(&l));
  l = node;
  EXPECT_TRUE(drop.Apply(&l));
  // "go" alone does not match "go_goroutines": anchored.
  Relabeler anchored = MustCompile({Rule(RelabelAction::kDrop, {"__name__"}, "go")});
  l = go;
  EXPECT_TRUE(anchored.Apply(&l));
  Relabeler keep = MustCompile({Rule(RelabelAction::kKeep, {"__name__"}, "node_.*")});
  l = go;
  EXPECT_FALSE(keep.Apply(&l));
  l = node;
  EXPECT_TRUE(keep.Apply(&l));
}

TEST(RelabelTest, ReplaceJoinsSourcesAndExpandsGroups) {
  Labels l{{"__name__", "up"}, {"a", "foo"}, {"b", "bar"}};
  Relabeler r = MustCompile({Rule(RelabelAction::kReplace, {"a", "b"}, "(f.*);(.*)", "c", "${2}-$1")});
  ASSERT_TRUE(r.Apply(&l));
  EXPECT_EQ(l.Get("c"), "bar-foo");
}

TEST(RelabelTest, DollarNameTakesLongestRunLikeGo) {
  // "$1x" refers to a group named "1x", which does not exist: empty, so the label is deleted.
  Labels l{{"a", "foo"}, {"c", "old"}};
  Relabeler r = MustCompile({Rule(RelabelAction::kReplace, {"a"}, "(.*)", "c", "$1x")});
  ASSERT_TRUE(r.Apply(&l));
  EXPECT_FALSE(l.Has("c"));
  l = Labels{{"a", "foo"}};
  r = MustCompile({Rule(RelabelAction::kReplace, {"a"}, "(?P<word>.*)", "c", "${word}x$$")});
  ASSERT_TRUE(r.Apply(&l));
  EXPECT_EQ(l.Get("c"), "foox$");
}

TEST(RelabelTest, ReplaceWithoutMatchChangesNothing) {
  Labels l{{"a", "foo"}};
  Relabeler r = MustCompile({Rule(RelabelAction::kReplace, {"a"}, "bar", "c", "x")});
  ASSERT_TRUE(r.Apply(&l));
  EXPECT_EQ(l, (Labels{{"a", "foo"}}));
}

TEST(RelabelTest, HashModMatchesPrometheus) {
  RelabelRule rule = Rule(RelabelAction::kHashMod, {"c"}, "(.*)", "d");
  rule.modulus = 1000;
  Labels l{{"c", "baz"}};
  ASSERT_TRUE(MustCompile({rule}).Apply(&l));
  EXPECT_EQ(l.Get("d"), "976");  // the value Prometheus computes for md5("baz")
}

TEST(RelabelTest, LabelMapLabelDropLabelKeep) {
  Labels l{{"__meta_a", "1"}, {"__meta_b", "2"}, {"x", "3"}};
  Relabeler map = MustCompile({Rule(RelabelAction::kLabelMap, {}, "__meta_(.*)", "", "m_$1")});
  ASSERT_TRUE(map.Apply(&l));
  EXPECT_EQ(l.Get("m_a"), "1");
  EXPECT_EQ(l.Get("m_b"), "2");
  EXPECT_EQ(l.Get("__meta_a"), "1");  // labelmap copies, it does not move
  Relabeler drop = MustCompile({Rule(RelabelAction::kLabelDrop, {}, "__meta_.*")});
  ASSERT_TRUE(drop.Apply(&l));
  EXPECT_FALSE(l.Has("__meta_a"));
  Relabeler keep = MustCompile({Rule(RelabelAction::kLabelKeep, {}, "m_a|x")});
  ASSERT_TRUE(keep.Apply(&l));
  EXPECT_EQ(l, (Labels{{"m_a", "1"}, {"x", "3"}}));
}

TEST(RelabelTest, EqualityActionsAndCaseActions) {
  Labels l{{"a", "Foo"}, {"b", "Foo"}};
  Relabeler keepeq = MustCompile({Rule(RelabelAction::kKeepEqual, {"a"}, "(.*)", "b")});
  Labels copy = l;
  EXPECT_TRUE(keepeq.Apply(&copy));
  Relabeler dropeq = MustCompile({Rule(RelabelAction::kDropEqual, {"a"}, "(.*)", "b")});
  copy = l;
  EXPECT_FALSE(dropeq.Apply(&copy));
  Relabeler lower = MustCompile({Rule(RelabelAction::kLowercase, {"a"}, "(.*)", "c")});
  copy = l;
  ASSERT_TRUE(lower.Apply(&copy));
  EXPECT_EQ(copy.Get("c"), "foo");
}

TEST(RelabelTest, SeriesLeftWithoutLabelsIsDropped) {
  Labels l{{"a", "1"}};
  EXPECT_FALSE(MustCompile({Rule(RelabelAction::kLabelDrop, {}, ".*")}).Apply(&l));
}

TEST(RelabelTest, CompileErrorsNameTheRule) {
  EXPECT_THAT(Relabeler::Compile({Rule(RelabelAction::kDrop, {"a"}, "(")}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("rule 0 (drop): invalid regex \"(\"")));
  RelabelRule hm = Rule(RelabelAction::kHashMod, {"a"}, "(.*)", "t");
  EXPECT_THAT(Relabeler::Compile({Rule(RelabelAction::kKeep, {"a"}, "x"), hm}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("rule 1 (hashmod): modulus must be > 0")));
  EXPECT_THAT(Relabeler::Compile({Rule(RelabelAction::kReplace, {"a"}, "x")}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("target_label is required")));
  EXPECT_THAT(ParseRelabelAction("explode"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown relabel action")));
  EXPECT_EQ(*ParseRelabelAction("LabelDrop"), RelabelAction::kLabelDrop);
}

}  // namespace
}  // namespace cistern::model

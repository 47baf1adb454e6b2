#include "agent/storage/label_matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace cistern::storage {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Case {
  MatchType type;
  const char* pattern;
  const char* value;  // "" also stands for "label absent"
  bool want;
};

class MatcherSemanticsTest : public ::testing::TestWithParam<Case> {};

TEST_P(MatcherSemanticsTest, MatchesLikePrometheus) {
  const Case& c = GetParam();
  auto m = LabelMatcher::Make(c.type, "l", c.pattern);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Matches(c.value), c.want) << m->ToString() << " on \"" << c.value << "\"";
  // The inverse always gives the opposite answer.
  EXPECT_EQ(m->Inverse().Matches(c.value), !c.want) << m->Inverse().ToString();
}

constexpr MatchType kEq = MatchType::kEqual, kNeq = MatchType::kNotEqual, kRe = MatchType::kRegexp,
                    kNre = MatchType::kNotRegexp;

INSTANTIATE_TEST_SUITE_P(
    Table, MatcherSemanticsTest,
    ::testing::Values(
        // =
        Case{kEq, "foo", "foo", true}, Case{kEq, "foo", "foox", false}, Case{kEq, "foo", "", false},
        Case{kEq, "", "", true}, Case{kEq, "", "x", false},
        // !=
        Case{kNeq, "foo", "foo", false}, Case{kNeq, "foo", "bar", true}, Case{kNeq, "foo", "", true},
        Case{kNeq, "", "", false}, Case{kNeq, "", "x", true},
        // =~ is fully anchored
        Case{kRe, "foo", "foo", true}, Case{kRe, "foo", "xfoo", false}, Case{kRe, "foo", "foox", false},
        Case{kRe, "f.*", "foo", true}, Case{kRe, "f.*", "xf", false}, Case{kRe, "f.*", "", false},
        Case{kRe, "a|b.*", "bcd", true}, Case{kRe, "a|b.*", "ab", false}, Case{kRe, ".*", "", true},
        Case{kRe, ".*", "anything", true},
        Case{kRe, ".*", "a\nb", false},  // RE2/Go: '.' does not match a newline
        Case{kRe, "(?s).*", "a\nb", true}, Case{kRe, ".+", "", false}, Case{kRe, ".+", "a", true},
        Case{kRe, "", "", true}, Case{kRe, "", "a", false},
        // Literal sets
        Case{kRe, "foo|bar", "foo", true}, Case{kRe, "foo|bar", "bar", true},
        Case{kRe, "foo|bar", "foobar", false}, Case{kRe, "foo|bar", "", false}, Case{kRe, "foo|", "", true},
        Case{kRe, "a\\.b", "a.b", true}, Case{kRe, "a\\.b", "axb", false}, Case{kRe, "a.b", "axb", true},
        Case{kRe, "\\d+", "123", true}, Case{kRe, "\\d+", "d", false}, Case{kRe, "(?i)FOO", "foo", true},
        // !~
        Case{kNre, "foo", "foo", false}, Case{kNre, "foo", "bar", true}, Case{kNre, "foo", "", true},
        Case{kNre, "foo", "xfoo", true}, Case{kNre, ".+", "", true}, Case{kNre, ".+", "a", false},
        Case{kNre, "", "", false}, Case{kNre, "", "a", true}, Case{kNre, "foo|bar", "bar", false},
        Case{kNre, "foo|bar", "baz", true}));

TEST(LabelMatcherTest, BadRegexIsInvalidArgumentNamingTheMatcher) {
  auto m = LabelMatcher::Make(MatchType::kRegexp, "job", "(");
  EXPECT_THAT(m, StatusIs(StatusCode::kInvalidArgument, HasSubstr("matcher {job=~\"(\"}: invalid regex")));
  EXPECT_THAT(LabelMatcher::Make(MatchType::kNotRegexp, "job", "a[b"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid regex")));
}

TEST(LabelMatcherTest, EqualityMatchersAcceptAnyValue) {
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kEqual, "job", "(").ok());
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kNotEqual, "job", "[").ok());
}

TEST(LabelMatcherTest, SetMatchesListLiteralAlternativesOfPositiveRegexOnly) {
  auto m = LabelMatcher::Make(MatchType::kRegexp, "l", "foo|bar|a\\.b");
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m->SetMatches(), ElementsAre("foo", "bar", "a.b"));
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kRegexp, "l", "f.*|bar")->SetMatches().empty());
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kRegexp, "l", "\\d")->SetMatches().empty());
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kRegexp, "l", "(?i)foo")->SetMatches().empty());
  EXPECT_TRUE(LabelMatcher::Make(MatchType::kNotRegexp, "l", "foo|bar")->SetMatches().empty());
  EXPECT_THAT(LabelMatcher::Make(MatchType::kNotRegexp, "l", "foo|bar")->Inverse().SetMatches(),
              ElementsAre("foo", "bar"));
}

TEST(LabelMatcherTest, ToStringQuotesTheValue) {
  EXPECT_EQ(LabelMatcher::Make(MatchType::kNotEqual, "path", "a\"b\\")->ToString(), "{path!=\"a\\\"b\\\\\"}");
  EXPECT_EQ(LabelMatcher::Make(MatchType::kEqual, "job", "x")->ToString(), "{job=\"x\"}");
}

TEST(LabelMatcherTest, CopiesShareTheCompiledRegex) {
  auto m = LabelMatcher::Make(MatchType::kRegexp, "l", "a+b");
  ASSERT_TRUE(m.ok());
  LabelMatcher copy = *m;
  EXPECT_TRUE(copy.Matches("aab"));
  EXPECT_FALSE(copy.Matches("ba"));
}

}  // namespace
}  // namespace cistern::storage

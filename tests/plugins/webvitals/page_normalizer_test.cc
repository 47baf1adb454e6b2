#include "plugins/webvitals/page_normalizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugins/webvitals/page_table.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::webvitals {
namespace {

using ::cistern::testing::StatusIs;

std::string Norm(std::string_view url) { return PageNormalizer().Normalize(url); }

TEST(PageNormalizerTest, OriginQueryAndFragmentAreDropped) {
  EXPECT_EQ(Norm("https://shop.example.com/cart?utm_source=mail#top"), "/cart");
  EXPECT_EQ(Norm("http://127.0.0.1:8080/a/b"), "/a/b");
  EXPECT_EQ(Norm("//cdn.example.com/x"), "/x");
  EXPECT_EQ(Norm("/search?q=shoes"), "/search");
  EXPECT_EQ(Norm("https://example.com"), "/");
  EXPECT_EQ(Norm("https://example.com?x=1"), "/");
}

TEST(PageNormalizerTest, EmptySegmentsAndTrailingSlashesDisappear) {
  EXPECT_EQ(Norm("/about/"), "/about");
  EXPECT_EQ(Norm("/x//a///b//"), "/x/a/b");
  EXPECT_EQ(Norm("//host.test//a"), "/a");  // "//" first: an authority
  EXPECT_EQ(Norm("/"), "/");
  EXPECT_EQ(Norm("relative/path"), "/relative/path");
}

TEST(PageNormalizerTest, NumericSegmentsBecomeId) {
  EXPECT_EQ(Norm("/products/12345"), "/products/:id");
  EXPECT_EQ(Norm("/u/7/posts/99/edit"), "/u/:id/posts/:id/edit");
  EXPECT_EQ(Norm("/archive/2024-01-15"), "/archive/:id");
}

TEST(PageNormalizerTest, UuidAndHashSegmentsBecomeId) {
  EXPECT_EQ(Norm("/orders/3f2b8c1e-9d4a-4c1e-8a7b-2f9e6d5c4b3a/items"), "/orders/:id/items");
  EXPECT_EQ(Norm("/orders/3F2B8C1E-9D4A-4C1E-8A7B-2F9E6D5C4B3A"), "/orders/:id");
  EXPECT_EQ(Norm("/commit/9fceb02d0ae598e95dc970b74767f19372d61af8"), "/commit/:id");
  EXPECT_EQ(Norm("/o/507f1f77bcf86cd799439011"), "/o/:id");  // Mongo ObjectId
  EXPECT_EQ(Norm("/s/aZ3kQ9xLm2Pq7RtY8wVb"), "/s/:id");      // a random token
  EXPECT_EQ(Norm("/x/" + std::string(80, 'a')), "/x/:id");   // anything very long
}

TEST(PageNormalizerTest, WordsAndSlugsAreKept) {
  EXPECT_EQ(Norm("/blog/how-to-use-react-18"), "/blog/how-to-use-react-18");
  EXPECT_EQ(Norm("/deadbeef"), "/deadbeef");  // hex letters alone: a word
  EXPECT_EQ(Norm("/v2/api"), "/v2/api");
  EXPECT_EQ(Norm("/caf%C3%A9"), "/caf%C3%A9");
  EXPECT_EQ(Norm("/café"), "/café");
}

TEST(PageNormalizerTest, InvalidUtf8AndControlCharactersBecomeId) {
  EXPECT_EQ(Norm("/a/\xff\xfe/b"), "/a/:id/b");
  EXPECT_EQ(Norm(std::string("/a/x\x01y")), "/a/:id");
  EXPECT_EQ(Norm("/a/\xed\xa0\x80"), "/a/:id");  // a UTF-16 surrogate in UTF-8
}

TEST(PageNormalizerTest, DeepPathsAreCutAfterSixteenSegments) {
  std::string url;
  for (int i = 0; i < 20; ++i) url += "/s";
  std::string want;
  for (int i = 0; i < 16; ++i) want += "/s";
  EXPECT_EQ(Norm(url), want + "/*");
}

TEST(PageNormalizerTest, OpaqueAndEmptyUrlsAreUnknown) {
  EXPECT_EQ(Norm(""), "unknown");
  EXPECT_EQ(Norm("about:blank"), "unknown");
  EXPECT_EQ(Norm("data:text/html,hi"), "unknown");
}

TEST(PageNormalizerTest, RoutePatternsWinAndAreTheLabel) {
  auto n = PageNormalizer::Create({"/blog/:slug", "/docs/*", "/shop/:category/:product/"});
  CISTERN_ASSERT_OK(n);
  EXPECT_EQ(n->Normalize("https://x.test/blog/how-to-use-react-18?x"), "/blog/:slug");
  EXPECT_EQ(n->Normalize("/docs/guide/install/linux"), "/docs/*");
  EXPECT_EQ(n->Normalize("/docs"), "/docs/*");
  EXPECT_EQ(n->Normalize("/shop/shoes/red-runner"), "/shop/:category/:product");
  // No pattern matches: the automatic rules apply.
  EXPECT_EQ(n->Normalize("/blog/2024/01"), "/blog/:id/:id");
  EXPECT_EQ(n->Normalize("/shop/shoes"), "/shop/shoes");
}

TEST(PageNormalizerTest, FirstMatchingRouteWins) {
  auto n = PageNormalizer::Create({"/a/special", "/a/:x"});
  CISTERN_ASSERT_OK(n);
  EXPECT_EQ(n->Normalize("/a/special"), "/a/special");
  EXPECT_EQ(n->Normalize("/a/other"), "/a/:x");
}

TEST(PageNormalizerTest, BadRoutePatternsAreRejectedNamingThem) {
  EXPECT_THAT(PageNormalizer::Create({"/ok", "blog/:slug"}),
              StatusIs(StatusCode::kInvalidArgument, "routes[1]: \"blog/:slug\": must start with \"/\""));
  EXPECT_THAT(
      PageNormalizer::Create({"/docs/*/x"}),
      StatusIs(StatusCode::kInvalidArgument, "routes[0]: \"/docs/*/x\": \"*\" may only be the last segment"));
  EXPECT_THAT(
      PageNormalizer::Create({"/a/:"}),
      StatusIs(StatusCode::kInvalidArgument, "routes[0]: \"/a/:\": a \":\" segment needs a name (\":id\")"));
  EXPECT_THAT(PageNormalizer::Create({"/a?b"}),
              StatusIs(StatusCode::kInvalidArgument,
                       "routes[0]: \"/a?b\": a route is a path, without query or fragment"));
  EXPECT_THAT(PageNormalizer::Create({"/a/b*"}),
              StatusIs(StatusCode::kInvalidArgument, "routes[0]: \"/a/b*\": \"*\" must be a whole segment"));
}

TEST(PageTableTest, PagesBeyondMaxPagesAreOther) {
  PageTable t(2);
  bool overflow = true;
  uint32_t a = t.Intern("/a", &overflow);
  EXPECT_FALSE(overflow);
  uint32_t b = t.Intern("/b", &overflow);
  EXPECT_FALSE(overflow);
  EXPECT_EQ(t.Intern("/c", &overflow), PageTable::kOther);
  EXPECT_TRUE(overflow);
  EXPECT_EQ(t.Name(PageTable::kOther), "other");
  // Known pages keep their label after the cap is reached.
  EXPECT_EQ(t.Intern("/a", &overflow), a);
  EXPECT_FALSE(overflow);
  EXPECT_EQ(t.Intern("/b"), b);
  EXPECT_EQ(t.Name(a), "/a");
  EXPECT_EQ(t.pages(), 2u);
}

TEST(PageTableTest, UnknownAndOtherDoNotCountAgainstTheCap) {
  PageTable t(1);
  uint32_t u = t.Intern("unknown");
  EXPECT_NE(u, PageTable::kOther);
  EXPECT_EQ(t.Intern("other"), PageTable::kOther);
  EXPECT_NE(t.Intern("/a"), PageTable::kOther);
  EXPECT_EQ(t.Intern("/b"), PageTable::kOther);
  EXPECT_EQ(t.pages(), 1u);
}

}  // namespace
}  // namespace cistern::plugins::webvitals

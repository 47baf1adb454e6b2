#include "agent/net/http_common.h"

#include <gtest/gtest.h>

namespace cistern::net {
namespace {

TEST(HttpCommonTest, FormDecodingKeepsRepeatedKeysInOrder) {
  std::vector<std::pair<std::string, std::string>> kv;
  ASSERT_TRUE(ParseFormUrlEncoded("match%5B%5D=up&query=rate(x%5B5m%5D)+%2A+2&match[]=b&flag", &kv));
  ASSERT_EQ(kv.size(), 4u);
  EXPECT_EQ(kv[0], (std::pair<std::string, std::string>{"match[]", "up"}));
  EXPECT_EQ(kv[1].second, "rate(x[5m]) * 2");
  EXPECT_EQ(kv[2].first, "match[]");
  EXPECT_EQ(kv[3], (std::pair<std::string, std::string>{"flag", ""}));
}

TEST(HttpCommonTest, MalformedEscapesAreRejected) {
  std::vector<std::pair<std::string, std::string>> kv;
  EXPECT_FALSE(ParseFormUrlEncoded("a=%zz", &kv));
  EXPECT_FALSE(ParseFormUrlEncoded("a=%4", &kv));
  std::string out;
  EXPECT_FALSE(PercentDecode("%", false, &out));
}

TEST(HttpCommonTest, HeaderLookupIgnoresCase) {
  HttpHeaders h{{"Content-Type", "text/plain"}};
  ASSERT_NE(FindHeader(h, "content-type"), nullptr);
  EXPECT_EQ(*FindHeader(h, "CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(FindHeader(h, "x"), nullptr);
}

}  // namespace
}  // namespace cistern::net

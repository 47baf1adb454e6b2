#include "plugins/webvitals/beacon_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cistern::plugins::webvitals {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// What JSON.stringify(metric) gives for each library version (entries trimmed
// to one, as real ones are: the parser must skip them whatever they hold).
constexpr std::string_view kV4Lcp =
    R"({"name":"LCP","value":1234.5,"rating":"good","delta":1234.5,"entries":[{"name":"","entryType":)"
    R"("largest-contentful-paint","startTime":1234.5,"duration":0,"size":5000,"renderTime":1234.5,"loadTime":0,)"
    R"("id":"","url":""}],"id":"v4-1700000000000-1234567890123","navigationType":"navigate"})";
constexpr std::string_view kV5Cls =
    R"({"name":"CLS","value":0.1034,"rating":"needs-improvement","delta":0.0521,"entries":[{"name":"",)"
    R"("entryType":"layout-shift","startTime":812.4,"duration":0,"value":0.0521,"hadRecentInput":false,)"
    R"("lastInputTime":0,"sources":[{"previousRect":{"x":0,"y":0,"width":800,"height":200}}]}],)"
    R"("id":"v5-1710000000000-9876543210987","navigationType":"reload"})";
constexpr std::string_view kV6Inp =
    R"({"name":"INP","value":312,"rating":"needs-improvement","delta":312,"entries":[],)"
    R"("id":"v6-1760000000000-1111111111111","navigationType":"soft-navigation","navigationId":3,)"
    R"("navigationInteractionId":7789,"navigationStartTime":5120.2,)"
    R"("navigationURL":"https://shop.example.com/cart/42?utm=x","attribution":{"interactionTarget":"#buy"}})";
constexpr std::string_view kV3Fid =
    R"({"name":"FID","value":12,"delta":12,"id":"v3-1650000000000-1","entries":[],"navigationType":"back_forward"})";

ParseResult Parse(std::string_view body) {
  BeaconParser p;
  return p.Parse(body);
}

TEST(BeaconParserTest, ParsesAWebVitalsV4MetricObject) {
  ParseResult r = Parse(kV4Lcp);
  ASSERT_TRUE(r.rejected.empty()) << r.rejected[0].message;
  ASSERT_EQ(r.beacons.size(), 1u);
  EXPECT_FALSE(r.batch);
  const Beacon& b = r.beacons[0];
  EXPECT_EQ(b.vital, Vital::kLcp);
  EXPECT_EQ(b.value, 1234.5);
  EXPECT_EQ(b.id, "v4-1700000000000-1234567890123");
  EXPECT_EQ(b.navigation_type, NavigationType::kNavigate);
  EXPECT_EQ(b.page_url, "");
  EXPECT_EQ(b.navigation_url, "");
}

TEST(BeaconParserTest, ParsesAWebVitalsV5MetricWithLayoutShiftEntries) {
  ParseResult r = Parse(kV5Cls);
  ASSERT_EQ(r.beacons.size(), 1u);
  EXPECT_EQ(r.beacons[0].vital, Vital::kCls);
  EXPECT_DOUBLE_EQ(r.beacons[0].value, 0.1034);
  EXPECT_EQ(r.beacons[0].navigation_type, NavigationType::kReload);
}

TEST(BeaconParserTest, ParsesV6SoftNavigationWithNavigationUrlAndIgnoresUnknownFields) {
  ParseResult r = Parse(kV6Inp);
  ASSERT_TRUE(r.rejected.empty()) << r.rejected[0].message;
  ASSERT_EQ(r.beacons.size(), 1u);
  EXPECT_EQ(r.beacons[0].vital, Vital::kInp);
  EXPECT_EQ(r.beacons[0].navigation_type, NavigationType::kSoftNavigation);
  EXPECT_EQ(r.beacons[0].navigation_url, "https://shop.example.com/cart/42?utm=x");
}

TEST(BeaconParserTest, AcceptsFidFromOldClientsAndMapsTheirBackForwardSpelling) {
  ParseResult r = Parse(kV3Fid);
  ASSERT_EQ(r.beacons.size(), 1u);
  EXPECT_EQ(r.beacons[0].vital, Vital::kFid);
  EXPECT_EQ(r.beacons[0].navigation_type, NavigationType::kBackForward);
}

TEST(BeaconParserTest, ParsesABatchedArrayOfAllVersions) {
  std::string body = "[" + std::string(kV4Lcp) + "," + std::string(kV5Cls) + "," + std::string(kV6Inp) + "," +
                     std::string(kV3Fid) + "]";
  ParseResult r = Parse(body);
  EXPECT_TRUE(r.batch);
  EXPECT_EQ(r.elements, 4u);
  ASSERT_EQ(r.beacons.size(), 4u);
  EXPECT_EQ(r.beacons[0].vital, Vital::kLcp);
  EXPECT_EQ(r.beacons[3].vital, Vital::kFid);
}

TEST(BeaconParserTest, MinimalReadmePayloadIsEnough) {
  ParseResult r = Parse(R"({"name":"TTFB","value":80,"id":"v6-1-2","page_location":"https://x.test/a"})");
  ASSERT_EQ(r.beacons.size(), 1u);
  EXPECT_EQ(r.beacons[0].navigation_type, NavigationType::kUnknown);
  EXPECT_EQ(r.beacons[0].page_url, "https://x.test/a");
}

TEST(BeaconParserTest, PageFieldsArePreferredInOrderPageUrlPageLocation) {
  ParseResult r = Parse(
      R"({"name":"FCP","value":1,"id":"a","page_location":"/c","url":"/b","page":"/a","navigationURL":"/n"})");
  ASSERT_EQ(r.beacons.size(), 1u);
  EXPECT_EQ(r.beacons[0].page_url, "/a");
  r = Parse(R"({"name":"FCP","value":1,"id":"a","page_location":"/c","url":"/b"})");
  EXPECT_EQ(r.beacons[0].page_url, "/b");
}

TEST(BeaconParserTest, PageUrlFallsBackToNavigationUrlThenReferer) {
  Beacon b;
  EXPECT_EQ(b.PageUrl("https://r.test/ref"), "https://r.test/ref");
  b.navigation_url = "https://r.test/nav";
  EXPECT_EQ(b.PageUrl("https://r.test/ref"), "https://r.test/nav");
  b.page_url = "/page";
  EXPECT_EQ(b.PageUrl("https://r.test/ref"), "/page");
}

TEST(BeaconParserTest, MetricNamesAreCaseInsensitive) {
  ParseResult r = Parse(R"({"name":"lcp","value":1,"id":"a"})");
  ASSERT_EQ(r.beacons.size(), 1u);
  EXPECT_EQ(r.beacons[0].vital, Vital::kLcp);
}

TEST(BeaconParserTest, IntegerValuesAreNumbersToo) {
  ParseResult r = Parse(R"({"name":"TTFB","value":0,"id":"a","delta":-5})");
  ASSERT_EQ(r.beacons.size(), 1u);
  EXPECT_EQ(r.beacons[0].value, 0);
}

TEST(BeaconParserTest, UnknownNavigationTypeBecomesOther) {
  ParseResult r = Parse(R"({"name":"LCP","value":1,"id":"a","navigationType":"teleport"})");
  ASSERT_EQ(r.beacons.size(), 1u);
  EXPECT_EQ(r.beacons[0].navigation_type, NavigationType::kOther);
}

struct RejectCase {
  std::string body;
  RejectReason reason;
  std::string message;
  friend void PrintTo(const RejectCase& c, std::ostream* os) {
    for (char ch : c.body.substr(0, 60)) *os << (ch >= 0x20 && ch < 0x7f ? ch : '?');
  }
};

class BeaconRejectionTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(BeaconRejectionTest, IsRejectedWithTheFieldNamed) {
  ParseResult r = Parse(GetParam().body);
  EXPECT_TRUE(r.beacons.empty());
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].reason, GetParam().reason) << r.rejected[0].message;
  EXPECT_EQ(r.rejected[0].message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    EveryRejection, BeaconRejectionTest,
    ::testing::Values(
        RejectCase{"", RejectReason::kInvalidJson, "body: empty"},
        RejectCase{"{\"name\":", RejectReason::kInvalidJson,
                   "body: invalid JSON: bad structure (commas, braces, brackets or quotes)"},
        RejectCase{"name=LCP&value=1", RejectReason::kInvalidJson,
                   "body: invalid JSON: unexpected characters"},
        RejectCase{"{\"name\":\"LCP\",\"value\":1,\"id\":\"a\x01\"}", RejectReason::kInvalidJson,
                   "body: invalid JSON: malformed string"},
        RejectCase{"\"LCP\"", RejectReason::kInvalidJson, "body: expected a metric object, got string"},
        RejectCase{R"({"value":1,"id":"a"})", RejectReason::kInvalidField, "name: missing"},
        RejectCase{R"({"name":7,"value":1,"id":"a"})", RejectReason::kInvalidField,
                   "name: expected a string, got number"},
        RejectCase{R"({"name":"TBT","value":1,"id":"a"})", RejectReason::kUnknownMetric,
                   "name: unknown metric \"TBT\" (known: LCP, INP, CLS, FCP, TTFB, FID)"},
        RejectCase{R"({"name":"LCP","id":"a"})", RejectReason::kInvalidField, "value: missing"},
        RejectCase{R"({"name":"LCP","value":"1200","id":"a"})", RejectReason::kInvalidField,
                   "value: expected a number, got string"},
        RejectCase{R"({"name":"LCP","value":null,"id":"a"})", RejectReason::kInvalidField,
                   "value: expected a number, got null"},
        RejectCase{R"({"name":"LCP","value":-1,"id":"a"})", RejectReason::kInvalidValue,
                   "value: negative (-1)"},
        RejectCase{R"({"name":"LCP","value":1e300,"id":"a"})", RejectReason::kInvalidValue,
                   "value: 1e+300 is larger than 3.6e+06 for LCP"},
        RejectCase{R"({"name":"CLS","value":1e999,"id":"a"})", RejectReason::kInvalidJson,
                   "body: invalid JSON: a number is malformed or out of range"},
        RejectCase{R"({"name":"LCP","value":1})", RejectReason::kInvalidField, "id: missing"},
        RejectCase{R"({"name":"LCP","value":1,"id":5})", RejectReason::kInvalidField,
                   "id: expected a string, got number"},
        RejectCase{R"({"name":"LCP","value":1,"id":""})", RejectReason::kInvalidField, "id: empty"},
        RejectCase{R"({"name":"LCP","value":1,"id":")" + std::string(300, 'x') + "\"}",
                   RejectReason::kInvalidField, "id: longer than 256 bytes"},
        RejectCase{R"({"name":"LCP","value":1,"id":"a","delta":"x"})", RejectReason::kInvalidField,
                   "delta: expected a number, got string"},
        RejectCase{R"({"name":"LCP","value":1,"id":"a","rating":"great"})", RejectReason::kInvalidField,
                   "rating: expected good, needs-improvement or poor, got \"great\""},
        RejectCase{R"({"name":"LCP","value":1,"id":"a","rating":1})", RejectReason::kInvalidField,
                   "rating: expected a string, got number"},
        RejectCase{R"({"name":"LCP","value":1,"id":"a","navigationType":true})", RejectReason::kInvalidField,
                   "navigationType: expected a string, got boolean"},
        RejectCase{R"({"name":"LCP","value":1,"id":"a","navigationURL":{}})", RejectReason::kInvalidField,
                   "navigationURL: expected a string, got object"},
        RejectCase{R"({"name":"LCP","value":1,"id":"a","page":["/"]})", RejectReason::kInvalidField,
                   "page: expected a string, got array"},
        RejectCase{R"({"name":"LCP","value":1,"id":"a","url":1})", RejectReason::kInvalidField,
                   "url: expected a string, got number"},
        RejectCase{"{\"name\":\"LCP\",\"value\":1,\"id\":\"\xff\"}", RejectReason::kInvalidJson,
                   "body: not valid UTF-8"}),
    [](const ::testing::TestParamInfo<RejectCase>& info) {
      return std::to_string(info.index) + "_" + std::string(ReasonName(info.param.reason));
    });

TEST(BeaconParserTest, ABadElementOfABatchIsRejectedAloneWithItsIndex) {
  ParseResult r = Parse(R"([{"name":"LCP","value":1,"id":"a"},{"name":"LCP","value":-3,"id":"b"},7,)"
                        R"({"name":"FCP","value":2,"id":"c"}])");
  EXPECT_TRUE(r.batch);
  EXPECT_EQ(r.elements, 4u);
  ASSERT_EQ(r.beacons.size(), 2u);
  EXPECT_EQ(r.beacons[0].id, "a");
  EXPECT_EQ(r.beacons[1].id, "c");
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected[0].reason, RejectReason::kInvalidValue);
  EXPECT_EQ(r.rejected[0].message, "[1].value: negative (-3)");
  EXPECT_EQ(r.rejected[1].reason, RejectReason::kInvalidJson);
  EXPECT_EQ(r.rejected[1].message, "[2]: expected a metric object, got number");
}

TEST(BeaconParserTest, AnArrayLongerThanTheLimitIsRejectedWhole) {
  BeaconParser p(2);
  ParseResult r = p.Parse(R"([{"name":"LCP","value":1,"id":"a"},{"name":"LCP","value":1,"id":"b"},)"
                          R"({"name":"LCP","value":1,"id":"c"}])");
  EXPECT_TRUE(r.beacons.empty());
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].reason, RejectReason::kTooManyMetrics);
  EXPECT_EQ(r.rejected[0].message, "body: 3 metrics in one array, at most 2 are taken");
}

TEST(BeaconParserTest, EmptyArrayIsNotAnError) {
  ParseResult r = Parse("[]");
  EXPECT_TRUE(r.beacons.empty());
  EXPECT_TRUE(r.rejected.empty());
}

TEST(BeaconParserTest, OneParserServesManyBodies) {
  BeaconParser p;
  for (int i = 0; i < 100; ++i) {
    ParseResult r = p.Parse(i % 2 ? kV6Inp : std::string_view("{oops"));
    EXPECT_EQ(r.beacons.size(), i % 2 ? 1u : 0u);
  }
}

}  // namespace
}  // namespace cistern::plugins::webvitals

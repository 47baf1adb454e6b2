#include "plugins/webvitals/cors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace cistern::plugins::webvitals {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

CorsPolicy Policy(std::vector<std::string> origins) {
  auto p = CorsPolicy::Create(origins);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : CorsPolicy();
}

TEST(CorsPolicyTest, ExactOriginsMatchSchemeHostAndPort) {
  CorsPolicy p = Policy({"https://www.example.com", "http://localhost:3000"});
  EXPECT_TRUE(p.Allows("https://www.example.com"));
  EXPECT_TRUE(p.Allows("HTTPS://WWW.EXAMPLE.COM"));
  EXPECT_TRUE(p.Allows("http://localhost:3000"));
  EXPECT_FALSE(p.Allows("http://www.example.com"));
  EXPECT_FALSE(p.Allows("https://www.example.com:8443"));
  EXPECT_FALSE(p.Allows("https://example.com"));
  EXPECT_FALSE(p.Allows("https://www.example.com.evil.test"));
  EXPECT_FALSE(p.Allows("http://localhost:3001"));
  EXPECT_FALSE(p.Allows("null"));
  EXPECT_FALSE(p.Allows(""));
}

TEST(CorsPolicyTest, DefaultPortsAreTheSameOrigin) {
  CorsPolicy p = Policy({"https://shop.example.com:443/"});
  EXPECT_TRUE(p.Allows("https://shop.example.com"));
}

TEST(CorsPolicyTest, WildcardsMatchSubdomainsAtAnyDepthButNotTheApex) {
  CorsPolicy p = Policy({"https://*.example.com"});
  EXPECT_TRUE(p.Allows("https://www.example.com"));
  EXPECT_TRUE(p.Allows("https://a.b.example.com"));
  EXPECT_FALSE(p.Allows("https://example.com"));
  EXPECT_FALSE(p.Allows("https://notexample.com"));
  EXPECT_FALSE(p.Allows("https://www.example.com.evil.test"));
  EXPECT_FALSE(p.Allows("http://www.example.com"));
  EXPECT_FALSE(p.Allows("https://www.example.com:8443"));
}

TEST(CorsPolicyTest, StarAllowsEveryOrigin) {
  CorsPolicy p = Policy({"*"});
  EXPECT_TRUE(p.Allows("https://anything.test"));
  EXPECT_TRUE(p.Allows("null"));
}

TEST(CorsPolicyTest, EmptyListAllowsNothing) {
  CorsPolicy p = Policy({});
  EXPECT_TRUE(p.empty());
  EXPECT_FALSE(p.Allows("https://www.example.com"));
}

TEST(CorsPolicyTest, MalformedEntriesAreRejectedNamingThem) {
  EXPECT_THAT(CorsPolicy::Create({"https://ok.test", "example.com"}),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("allowed_origins[1]: \"example.com\": expected an origin")));
  EXPECT_THAT(
      CorsPolicy::Create({"https://www.*.example.com"}),
      StatusIs(StatusCode::kInvalidArgument,
               "allowed_origins[0]: \"https://www.*.example.com\": a wildcard must be the whole first label: "
               "\"https://*.example.com\""));
  EXPECT_THAT(CorsPolicy::Create({"https://example.com/path"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("allowed_origins[0]")));
}

TEST(CorsPolicyTest, PreflightHeadersEchoTheOriginAndAllowCredentials) {
  net::HttpHeaders req = {{"Access-Control-Request-Method", "POST"},
                          {"Access-Control-Request-Headers", "content-type"},
                          {"Access-Control-Request-Private-Network", "true"}};
  net::HttpHeaders h;
  CorsPolicy::AddPreflightHeaders("https://www.example.com", req, &h);
  auto get = [&](std::string_view n) {
    const std::string* v = net::FindHeader(h, n);
    return v ? *v : std::string("<none>");
  };
  EXPECT_EQ(get("Access-Control-Allow-Origin"), "https://www.example.com");
  EXPECT_EQ(get("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(get("Access-Control-Allow-Methods"), "POST, OPTIONS");
  EXPECT_EQ(get("Access-Control-Allow-Headers"), "content-type");
  EXPECT_EQ(get("Access-Control-Allow-Private-Network"), "true");
  EXPECT_EQ(get("Vary"), "Origin");
  EXPECT_EQ(get("Access-Control-Max-Age"), "86400");
}

}  // namespace
}  // namespace cistern::plugins::webvitals

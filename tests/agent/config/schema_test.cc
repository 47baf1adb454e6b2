#include "agent/config/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/config/toml_parse.h"
#include "tests/testing/status_matchers.h"

namespace cistern::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::StatusIs;

const Schema kSchema = {
    {"address", FieldType::kString, "", "host:port", /*required=*/true},
    {"method", FieldType::kString, "\"GET\"", "HTTP method", false, {}, {}, {"GET", "POST", "HEAD"}},
    {"timeout", FieldType::kDuration, "5s", "probe timeout", false, 1, 60000},
    {"max_body", FieldType::kSize, "64KiB", "body limit"},
    {"codes", FieldType::kIntList, "[200]", "valid codes"},
    {"retries", FieldType::kInt, "3", "retries", false, 0, 10},
    {"ratio", FieldType::kFloat, "0.5", "ratio"},
    {"verbose", FieldType::kBool, "false", "verbose"},
    {"targets", FieldType::kStringList, "[]", "targets"},
    {"headers", FieldType::kStringMap, "{}", "headers"},
};

StatusOr<Options> Apply(const std::string& text) {
  auto v = ParseTomlText(text, "p.toml");
  if (!v.ok()) return v.status();
  return ApplySchema(*v, kSchema, "inputs.probe[0]");
}

TEST(SchemaTest, DefaultsApplyWhenKeysAreAbsent) {
  auto o = Apply("address = \"a:1\"\n");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->GetString("method"), "GET");
  EXPECT_EQ(o->GetDuration("timeout"), Duration(5000));
  EXPECT_EQ(o->GetSize("max_body"), 65536u);
  EXPECT_EQ(o->GetIntList("codes"), std::vector<int64_t>{200});
  EXPECT_EQ(o->GetInt("retries"), 3);
  EXPECT_EQ(o->GetFloat("ratio"), 0.5);
  EXPECT_FALSE(o->GetBool("verbose"));
  EXPECT_TRUE(o->GetStringList("targets").empty());
  EXPECT_FALSE(o->Has("method"));
  EXPECT_TRUE(o->Has("address"));
  EXPECT_EQ(o->PositionOf("address").line, 1);
}

TEST(SchemaTest, GivenValuesAreTyped) {
  auto o = Apply("address = \"a:1\"\nmethod = \"POST\"\ntimeout = \"1m\"\nheaders = { A = \"b\" }\nratio = 2\n");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->GetString("method"), "POST");
  EXPECT_EQ(o->GetDuration("timeout"), Duration(60000));
  EXPECT_EQ(o->GetStringMap("headers").at("A"), "b");
  EXPECT_EQ(o->GetFloat("ratio"), 2.0);  // integers are accepted where floats are expected
}

TEST(SchemaTest, EveryViolationIsReportedWithPosition) {
  auto o = Apply("method = \"PUT\"\ntimeout = \"2m\"\nretries = 11\ncodes = [\"x\"]\nadress = \"typo\"\n");
  EXPECT_THAT(o, StatusIs(StatusCode::kInvalidArgument,
                          AllOf(HasSubstr("inputs.probe[0].address: required key is missing"),
                                HasSubstr("p.toml:1: inputs.probe[0].method: \"PUT\" is not one of \"GET\", \"POST\", \"HEAD\""),
                                HasSubstr("p.toml:2: inputs.probe[0].timeout: duration must be at most 1m"),
                                HasSubstr("p.toml:3: inputs.probe[0].retries: value 11 out of range [0, 10]"),
                                HasSubstr("p.toml:4: inputs.probe[0].codes: expected an array of integers"),
                                HasSubstr("p.toml:5: inputs.probe[0].adress: unknown key (known: address"))));
}

TEST(SchemaTest, WrongTypeNamesBothTypes) {
  EXPECT_THAT(Apply("address = 5\n"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("p.toml:1: inputs.probe[0].address: expected a string, got integer")));
}

}  // namespace
}  // namespace cistern::config

// The os collector and its os-release parser. The parser cases are what
// node_exporter 1.5.0 (its go-envparse) made of the same files.
#include <gtest/gtest.h>

#include "plugins/host/os_release.h"
#include "tests/plugins/host/host_testing.h"
#include "tests/plugins/host/system_test_util.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using testing::Fixture;
using ::testing::HasSubstr;
using testing::InDir;
namespace ht = ::cistern::plugins::host::testing;

std::string Name(std::string_view text) {
  auto env = ParseOsRelease(text);
  if (!env.ok()) return "error: " + env.status().message();
  auto it = env->find("NAME");
  return it == env->end() ? "<unset>" : it->second;
}

TEST(ParseOsReleaseTest, QuotingCommentsAndWhitespaceAsNodeExporterReadsThem) {
  EXPECT_EQ(Name("NAME=\"Debian GNU/Linux\"\n"), "Debian GNU/Linux");
  EXPECT_EQ(Name("NAME='Foo  \"Linux\"'\n"), "Foo  \"Linux\"");
  EXPECT_EQ(Name("NAME=\"a\"b'c'\n"), "abc");
  EXPECT_EQ(Name("NAME=a \"b c\" d\n"), "a b c d");
  EXPECT_EQ(Name("NAME=Foo # inline\n"), "Foo");
  EXPECT_EQ(Name("NAME=a#b\n"), "a");
  EXPECT_EQ(Name("NAME=\"a#b\"\n"), "a#b");
  EXPECT_EQ(Name("NAME=  \"x\"  #c\n"), "x");
  EXPECT_EQ(Name("NAME= a  b  \n"), "a  b");
  EXPECT_EQ(Name("NAME=x\\ny\n"), "x\\ny");  // no escapes outside double quotes
  EXPECT_EQ(Name("NAME='a\\nb'\n"), "a\\nb");
  EXPECT_EQ(Name("NAME=\"a\\\\b\\\"c\"\n"), "a\\b\"c");
  EXPECT_EQ(Name("NAME=\"\\n\\t\"\n"), "\n\t");
  EXPECT_EQ(Name("NAME=a\xc3\xa9z\n"), "a\xc3\xa9z");
  EXPECT_EQ(Name("NAME=a\xc3\xa9 # c\n"), "a\xc3\xa9");  // node_exporter: "a\xc3", then a panic
  EXPECT_EQ(Name("NAME=a\r\n"), "a");
  EXPECT_EQ(Name("NAME=\n"), "");
  EXPECT_EQ(Name("export NAME=x\n"), "x");
  EXPECT_EQ(Name("NAME=a\nNAME=e\n"), "e");
  EXPECT_EQ(Name("# a comment\n\n   \n  # indented\nA.B/C=1\n_N=2\nNAME=ok\n"), "ok");
  EXPECT_EQ(Name("ID=x\n"), "<unset>");
}

TEST(ParseOsReleaseTest, WhatNodeExporterRejectsNamesTheLine) {
  EXPECT_EQ(Name("NAME=a\ngarbage line\n"), "error: line 2: missing \"=\"");
  EXPECT_EQ(Name("1NAME=a\n"), "error: line 1: key must start with [A-Za-z_] but found '1'");
  EXPECT_EQ(Name("export  NAME=x\n"), "error: line 1: key must start with [A-Za-z_] but found ' '");
  EXPECT_EQ(Name("A-B=1\n"), "error: line 1: key characters must be [A-Za-z0-9/_.] but found '-'");
  EXPECT_EQ(Name("=1\n"), "error: line 1: empty key");
  EXPECT_EQ(Name("NAME=\"abc\n"), "error: line 1: unmatched \"");
  EXPECT_EQ(Name("NAME='abc\n"), "error: line 1: unmatched '");
  EXPECT_EQ(Name("NAME=\"abc\\\n"), "error: line 1: incomplete escape sequence");
  EXPECT_EQ(Name("NAME=\"x\\$y\"\n"), "error: line 1: invalid escape sequence: \\$");
  EXPECT_EQ(Name("NAME=\"x\ty\"\n"), "error: line 1: 0x09 is an invalid value character");
  EXPECT_EQ(Name("NAME=\"a\\\xc3\xa9\"\n"),
            "error: line 1: multibyte characters disallowed in escape sequences");
}

TEST(OsVersionTest, LeadingMajorMinorOfVersionId) {
  EXPECT_EQ(OsVersion("22.04"), 22.04);
  EXPECT_EQ(OsVersion("12"), 12);
  EXPECT_EQ(OsVersion("3.17.2"), 3.17);
  EXPECT_EQ(OsVersion("7."), 7);
  EXPECT_EQ(OsVersion("2023.1-beta"), 2023.1);
  EXPECT_EQ(OsVersion("rolling"), 0);
  EXPECT_EQ(OsVersion(".5"), 0);
  EXPECT_EQ(OsVersion(""), 0);
}

TEST(OsCollectorTest, InfoAndVersionFromEtcOsRelease) {
  auto r = ht::Run(SystemCollectors(), "os", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.samples.size(), 2u);
  // node_exporter's series, its empty labels (build_id, image_id, ...) being absent ones.
  EXPECT_EQ(
      r.At("node_os_info{id=\"ubuntu\", id_like=\"debian\", name=\"Ubuntu\", pretty_name=\"Ubuntu 22.04.3 "
           "LTS\", "
           "version=\"22.04.3 LTS (Jammy Jellyfish)\", version_codename=\"jammy\", version_id=\"22.04\"}"),
      1);
  EXPECT_EQ(r.At("node_os_version{id=\"ubuntu\", id_like=\"debian\", name=\"Ubuntu\"}"), 22.04);
}

TEST(OsCollectorTest, UsrLibOsReleaseWhenEtcHasNone) {
  cistern::testing::TempDir dir;
  dir.WriteFile("root/usr/lib/os-release",
                "NAME=Fedora Linux\nID=fedora\nVERSION_ID=39\nVARIANT_ID=container\n");
  auto r = ht::Run(SystemCollectors(), "os", InDir(dir));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(
      r.At("node_os_info{id=\"fedora\", name=\"Fedora Linux\", variant_id=\"container\", version_id=\"39\"}"),
      1);
  EXPECT_EQ(r.At("node_os_version{id=\"fedora\", name=\"Fedora Linux\"}"), 39);
  dir.WriteFile("root/etc/os-release", "NAME=Etc\n");  // /etc wins
  auto etc = ht::Run(SystemCollectors(), "os", InDir(dir));
  EXPECT_EQ(etc.At("node_os_info{name=\"Etc\"}"), 1);
  EXPECT_EQ(etc.samples.size(), 1u);  // no VERSION_ID, no node_os_version
}

TEST(OsCollectorTest, NeitherFileIsNotFoundAndABadOneNamesFileAndLine) {
  cistern::testing::TempDir dir;
  auto none = ht::Run(SystemCollectors(), "os", InDir(dir));
  EXPECT_THAT(none.status, StatusIs(StatusCode::kNotFound, HasSubstr("usr/lib/os-release")));
  std::string path = dir.WriteFile("root/etc/os-release", "NAME=x\nbad\n");
  dir.WriteFile("root/usr/lib/os-release", "NAME=fine\n");  // not a fallback for a bad /etc one
  auto bad = ht::Run(SystemCollectors(), "os", InDir(dir));
  EXPECT_THAT(bad.status, StatusIs(StatusCode::kInvalidArgument, HasSubstr(path + ": line 2: missing")));
  EXPECT_TRUE(bad.samples.empty());
}

TEST(OsCollectorTest, AValueThatIsNotUtf8FailsTheCollectorAlone) {
  cistern::testing::TempDir dir;
  std::string path = dir.WriteFile("root/etc/os-release", "NAME=ok\nPRETTY_NAME=caf\xe9\n");
  auto r = ht::Run(SystemCollectors(), "os", InDir(dir));
  EXPECT_THAT(r.status,
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(path + ": PRETTY_NAME is not valid utf-8")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(OsCollectorTest, OnThisHostTheOsHasAName) {
  auto r = ht::Run(SystemCollectors(), "os", HostConfig{});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.CountPrefix("node_os_info"), 1u);
}

}  // namespace
}  // namespace cistern::plugins::host

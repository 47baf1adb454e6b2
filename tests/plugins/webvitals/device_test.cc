#include "plugins/webvitals/device.h"

#include <gtest/gtest.h>

namespace cistern::plugins::webvitals {
namespace {

struct UaCase {
  const char* ua;
  Device want;
  friend void PrintTo(const UaCase& c, std::ostream* os) { *os << c.ua; }
};

class DeviceTest : public ::testing::TestWithParam<UaCase> {};

TEST_P(DeviceTest, IsClassifiedFromItsUserAgent) {
  EXPECT_EQ(DeviceName(ClassifyDevice(GetParam().ua)), DeviceName(GetParam().want)) << GetParam().ua;
}

INSTANTIATE_TEST_SUITE_P(
    RealUserAgents, DeviceTest,
    ::testing::Values(
        // Desktops
        UaCase{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 "
               "Safari/537.36",
               Device::kDesktop},
        UaCase{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/120.0.0.0 "
               "Safari/537.36 Edg/120.0.0.0",
               Device::kDesktop},
        UaCase{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
               "Version/17.1 Safari/605.1.15",
               Device::kDesktop},
        UaCase{"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
               Device::kDesktop},
        UaCase{
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 "
            "Safari/537.36",
            Device::kDesktop},
        UaCase{"", Device::kDesktop},
        // Phones
        UaCase{
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.1 Mobile/15E148 Safari/604.1",
            Device::kMobile},
        UaCase{"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
               "Mobile "
               "Safari/537.36",
               Device::kMobile},
        UaCase{"Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", Device::kMobile},
        UaCase{"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
               "Gecko) "
               "Chrome/120.0.6099.129 Mobile Safari/537.36 (compatible; Googlebot/2.1)",
               Device::kMobile},
        UaCase{"Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25",
               Device::kMobile},
        // Tablets
        UaCase{"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
               "Version/16.6 Mobile/15E148 Safari/604.1",
               Device::kTablet},
        UaCase{"Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/120.0.0.0 "
               "Safari/537.36",
               Device::kTablet},
        UaCase{"Mozilla/5.0 (Android 14; Tablet; rv:121.0) Gecko/121.0 Firefox/121.0", Device::kTablet},
        UaCase{
            "Mozilla/5.0 (Linux; U; Android 4.0.3; en-us; KFTT Build/IML74K) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Silk/3.68 like Chrome/39.0.2171.93 Safari/537.36",
            Device::kTablet}),
    [](const ::testing::TestParamInfo<UaCase>& info) {
      return std::to_string(info.index) + "_" + std::string(DeviceName(info.param.want));
    });

}  // namespace
}  // namespace cistern::plugins::webvitals

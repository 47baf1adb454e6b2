#include "plugins/webvitals/device.h"

namespace cistern::plugins::webvitals {
namespace {

bool Has(std::string_view ua, std::string_view token) { return ua.find(token) != std::string_view::npos; }

// Checked first: tablets' UAs often say "Mobile" too (iPad: "Mobile/15E148").
constexpr std::string_view kTabletTokens[] = {"iPad",     "Tablet",  "tablet",  "Kindle",  "Silk/",
                                              "PlayBook", "Nexus 7", "Nexus 9", "Nexus 10"};
constexpr std::string_view kMobileTokens[] = {"Mobi", "iPhone",     "iPod",     "Windows Phone", "BlackBerry",
                                              "BB10", "Opera Mini", "IEMobile", "webOS"};

}  // namespace

Device ClassifyDevice(std::string_view ua) {
  for (std::string_view t : kTabletTokens) {
    if (Has(ua, t)) return Device::kTablet;
  }
  for (std::string_view t : kMobileTokens) {
    if (Has(ua, t)) return Device::kMobile;
  }
  // Android without "Mobile" is a tablet (Google's guidance to device makers).
  if (Has(ua, "Android")) return Device::kTablet;
  return Device::kDesktop;
}

std::string_view DeviceName(Device d) {
  switch (d) {
    case Device::kDesktop:
      return "desktop";
    case Device::kMobile:
      return "mobile";
    case Device::kTablet:
      return "tablet";
  }
  return "desktop";
}

}  // namespace cistern::plugins::webvitals

// The `device` label from a User-Agent: mobile, tablet or desktop, by the
// tokens browsers put there (the same rules as MDN's "Mobi" advice plus the
// common tablet markers). iPadOS Safari sends a desktop (Macintosh) UA and so
// counts as desktop; a missing UA is desktop. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace cistern::plugins::webvitals {

enum class Device : uint8_t { kDesktop, kMobile, kTablet };
inline constexpr size_t kDeviceCount = 3;

Device ClassifyDevice(std::string_view user_agent);
std::string_view DeviceName(Device d);  // "desktop", "mobile", "tablet"

}  // namespace cistern::plugins::webvitals

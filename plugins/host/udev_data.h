// ParseUdevData: the device properties ("E:KEY=value" lines) of a udev
// database file, /run/udev/data/b<major>:<minor> (see udevadm(8)); other
// record types are skipped. Pure, thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace cistern::plugins::host {

using UdevProperties = std::map<std::string, std::string, std::less<>>;

UdevProperties ParseUdevData(std::string_view text);

}  // namespace cistern::plugins::host

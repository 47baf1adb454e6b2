// DeviceFilter: node_exporter's deviceFilter / exclusion patterns. A name is
// ignored when the RE2 pattern matches anywhere in it (Go's MatchString; the
// default patterns anchor themselves with ^...$). An empty pattern ignores
// nothing. The pattern is compiled once, in the constructor; an invalid one
// is reported by status() and then ignores nothing.
// Immutable after construction: thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace re2 {
class RE2;
}

namespace cistern::plugins::host {

class DeviceFilter {
 public:
  // `what` names the option in errors ("mount_points_exclude").
  DeviceFilter(std::string_view what, const std::string& pattern);
  ~DeviceFilter();
  DeviceFilter(DeviceFilter&&) noexcept;
  DeviceFilter& operator=(DeviceFilter&&) noexcept;

  const Status& status() const { return status_; }
  bool Ignored(std::string_view name) const;

 private:
  std::unique_ptr<re2::RE2> re_;
  Status status_;
};

}  // namespace cistern::plugins::host

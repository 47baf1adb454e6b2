#include "plugins/host/device_filter.h"

#include <re2/re2.h>

namespace cistern::plugins::host {

DeviceFilter::DeviceFilter(std::string_view what, const std::string& pattern) {
  if (pattern.empty()) return;
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) {
    status_ = InvalidArgumentError(std::string(what) + ": invalid regular expression \"" + pattern +
                                   "\": " + re->error());
    return;
  }
  re_ = std::move(re);
}

DeviceFilter::~DeviceFilter() = default;
DeviceFilter::DeviceFilter(DeviceFilter&&) noexcept = default;
DeviceFilter& DeviceFilter::operator=(DeviceFilter&&) noexcept = default;

bool DeviceFilter::Ignored(std::string_view name) const {
  return re_ != nullptr && RE2::PartialMatch(re2::StringPiece(name.data(), name.size()), *re_);
}

}  // namespace cistern::plugins::host

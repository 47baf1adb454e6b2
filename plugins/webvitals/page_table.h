// The set of `page` label values in use, capped at max_pages: the first
// max_pages distinct pages keep their label (until restart); any page after
// that is "other". "other" and "unknown" do not count against the cap. Pages
// are interned to small indexes so per-series keys stay integers. Loop thread
// only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cistern::plugins::webvitals {

inline constexpr std::string_view kOtherPage = "other";

class PageTable {
 public:
  static constexpr uint32_t kOther = 0;

  explicit PageTable(size_t max_pages);

  // The index of `page`, added while there is room; kOther (and *overflow =
  // true) when the cap is reached.
  uint32_t Intern(std::string_view page, bool* overflow = nullptr);
  const std::string& Name(uint32_t index) const { return names_[index]; }
  // Distinct pages that count against max_pages.
  size_t pages() const { return counted_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  size_t max_pages_;
  size_t counted_ = 0;
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;
};

}  // namespace cistern::plugins::webvitals

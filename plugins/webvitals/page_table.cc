#include "plugins/webvitals/page_table.h"

#include "plugins/webvitals/page_normalizer.h"

namespace cistern::plugins::webvitals {

PageTable::PageTable(size_t max_pages) : max_pages_(max_pages) {
  names_.emplace_back(kOtherPage);
  index_.emplace(std::string(kOtherPage), kOther);
}

uint32_t PageTable::Intern(std::string_view page, bool* overflow) {
  if (overflow) *overflow = false;
  if (auto it = index_.find(page); it != index_.end()) return it->second;
  bool counted = page != kUnknownPage;
  if (counted && counted_ >= max_pages_) {
    if (overflow) *overflow = true;
    return kOther;
  }
  uint32_t i = static_cast<uint32_t>(names_.size());
  names_.emplace_back(page);
  index_.emplace(std::string(page), i);
  counted_ += counted;
  return i;
}

}  // namespace cistern::plugins::webvitals

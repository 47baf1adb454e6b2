#include "agent/tsdb/mem_postings.h"

#include <algorithm>
#include <mutex>

namespace cistern::tsdb {

void MemPostings::Insert(Postings* list, storage::SeriesRef ref) {
  if (list->empty() || list->back() < ref) {
    list->push_back(ref);
    return;
  }
  auto it = std::lower_bound(list->begin(), list->end(), ref);
  if (it == list->end() || *it != ref) list->insert(it, ref);
}

void MemPostings::Erase(Postings* list, storage::SeriesRef ref) {
  auto it = std::lower_bound(list->begin(), list->end(), ref);
  if (it != list->end() && *it == ref) list->erase(it);
}

void MemPostings::Add(storage::SeriesRef ref, const model::Labels& labels) {
  std::unique_lock lock(mu_);
  Insert(&all_, ref);
  for (const model::Label& l : labels) {
    auto name_it = index_.find(l.name);
    if (name_it == index_.end()) name_it = index_.emplace(l.name, Values{}).first;
    auto value_it = name_it->second.find(l.value);
    if (value_it == name_it->second.end()) value_it = name_it->second.emplace(l.value, Postings{}).first;
    Insert(&value_it->second, ref);
  }
}

void MemPostings::Delete(storage::SeriesRef ref, const model::Labels& labels) {
  std::unique_lock lock(mu_);
  Erase(&all_, ref);
  for (const model::Label& l : labels) {
    auto name_it = index_.find(l.name);
    if (name_it == index_.end()) continue;
    auto value_it = name_it->second.find(l.value);
    if (value_it == name_it->second.end()) continue;
    Erase(&value_it->second, ref);
    if (value_it->second.empty()) name_it->second.erase(value_it);
    if (name_it->second.empty()) index_.erase(name_it);
  }
}

Postings MemPostings::Get(std::string_view name, std::string_view value) const {
  std::shared_lock lock(mu_);
  auto name_it = index_.find(name);
  if (name_it == index_.end()) return {};
  auto value_it = name_it->second.find(value);
  if (value_it == name_it->second.end()) return {};
  return value_it->second;
}

Postings MemPostings::Matching(std::string_view name,
                               const std::function<bool(std::string_view)>& match) const {
  std::vector<const Postings*> hits;
  std::shared_lock lock(mu_);
  auto name_it = index_.find(name);
  if (name_it == index_.end()) return {};
  for (const auto& [value, list] : name_it->second) {
    if (match(value)) hits.push_back(&list);
  }
  if (hits.size() == 1) return *hits[0];
  Postings out;
  for (const Postings* l : hits) out.insert(out.end(), l->begin(), l->end());
  std::sort(out.begin(), out.end());  // a series has one value per name: no duplicates
  return out;
}

Postings MemPostings::All() const {
  std::shared_lock lock(mu_);
  return all_;
}

std::vector<std::string> MemPostings::LabelNames() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(index_.size());
  for (const auto& [name, values] : index_) out.push_back(name);
  return out;
}

std::vector<std::string> MemPostings::LabelValues(std::string_view name) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  auto it = index_.find(name);
  if (it == index_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [value, list] : it->second) out.push_back(value);
  return out;
}

size_t MemPostings::NumSeries() const {
  std::shared_lock lock(mu_);
  return all_.size();
}

void MemPostings::VisitLabelPairs(
    const std::function<void(std::string_view, std::string_view, size_t)>& fn) const {
  std::shared_lock lock(mu_);
  for (const auto& [name, values] : index_)
    for (const auto& [value, list] : values) fn(name, value, list.size());
}

}  // namespace cistern::tsdb

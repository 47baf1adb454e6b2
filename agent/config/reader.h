// TableReader: reads typed keys out of a Value table, collecting every
// problem as "file:line: path.key: what was expected" so a user fixes the file
// in one go. Used by the core config sections and by plugin schemas alike.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/base/units.h"
#include "agent/config/value.h"

namespace cistern::config {

class Errors {
 public:
  void Add(const Position& pos, const std::string& path, const std::string& message);
  bool empty() const { return lines_.empty(); }
  // All errors, one per line.
  std::string Join() const;

 private:
  std::vector<std::string> lines_;
};

class TableReader {
 public:
  // `table` may be null (section absent: every key takes its default).
  TableReader(const Value* table, std::string path, Errors* errors);

  // Each reader leaves `*out` untouched when the key is absent or invalid, and
  // returns true only when the key was present and valid.
  bool Bool(std::string_view key, bool* out);
  bool Int(std::string_view key, int64_t* out, int64_t min = INT64_MIN, int64_t max = INT64_MAX);
  bool Float(std::string_view key, double* out, double min = -1e308, double max = 1e308);
  bool String(std::string_view key, std::string* out);
  bool OneOf(std::string_view key, std::string* out, const std::vector<std::string>& allowed);
  bool Dur(std::string_view key, Duration* out, Duration min = Duration(0));
  bool Size(std::string_view key, uint64_t* out, uint64_t min = 0, uint64_t max = UINT64_MAX);
  bool StringList(std::string_view key, std::vector<std::string>* out);
  bool IntList(std::string_view key, std::vector<int64_t>* out);
  bool StringMap(std::string_view key, std::map<std::string, std::string>* out);
  // Like StringMap, but keys must be valid label names without "__" and values non-empty.
  bool LabelMap(std::string_view key, std::map<std::string, std::string>* out);
  // Sub-tables and arrays of tables (their keys are checked by their own readers).
  const Value* Table(std::string_view key);
  std::vector<const Value*> TableList(std::string_view key);
  // The raw value of a key (marks it known), or nullptr.
  const Value* Raw(std::string_view key);
  bool Has(std::string_view key) const;
  // Reports a missing required key.
  void Require(std::string_view key);
  // Reports `message` against `key` (or the table when absent).
  void Fail(std::string_view key, const std::string& message);
  // Reports every key that was never read as unknown, listing the known ones.
  void Finish();

  const std::string& path() const { return path_; }
  std::string KeyPath(std::string_view key) const;
  Position PositionOf(std::string_view key) const;
  Errors* errors() { return errors_; }

 private:
  const Value* Get(std::string_view key, Value::Type type, std::string_view expected);
  const Value* table_;
  std::string path_;
  Errors* errors_;
  std::set<std::string, std::less<>> known_;
};

// Validates an http(s) URL with a host. Returns an error message or "".
std::string CheckUrl(const std::string& url);
// Validates a listen address: "host:port", "[v6]:port", ":port". Returns an error message or "".
std::string CheckListen(const std::string& listen);

}  // namespace cistern::config

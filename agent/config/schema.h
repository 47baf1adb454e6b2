// Plugin option schemas (STYLE.md: "plugins are a descriptor plus a config
// schema table (key, type, default, doc)") and the validated Options a plugin
// reads. Options is an immutable value type, thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/units.h"
#include "agent/config/value.h"

namespace cistern::config {

enum class FieldType {
  kBool, kInt, kFloat, kString, kDuration, kSize, kStringList, kIntList, kStringMap,
  kTable,      // any table; the plugin validates its contents
  kTableList,  // [[x]] array of tables; the plugin validates
};

struct Field {
  std::string key;
  FieldType type = FieldType::kString;
  // Default as TOML literal text ("\"GET\"", "[200]", "true", "5") or, for
  // durations and sizes, plain text ("5s", "64KiB"). "" = no default.
  std::string default_value;
  std::string doc;
  bool required = false;
  std::optional<double> min, max;  // ints, floats; durations in ms; sizes in bytes
  std::vector<std::string> one_of;  // strings
};
using Schema = std::vector<Field>;

class Options {
 public:
  using Stored = std::variant<std::monostate, bool, int64_t, double, std::string, Duration, uint64_t,
                              std::vector<std::string>, std::vector<int64_t>, std::map<std::string, std::string>,
                              Value>;
  bool GetBool(std::string_view key) const;
  int64_t GetInt(std::string_view key) const;
  double GetFloat(std::string_view key) const;
  std::string GetString(std::string_view key) const;
  Duration GetDuration(std::string_view key) const;
  uint64_t GetSize(std::string_view key) const;
  std::vector<std::string> GetStringList(std::string_view key) const;
  std::vector<int64_t> GetIntList(std::string_view key) const;
  std::map<std::string, std::string> GetStringMap(std::string_view key) const;
  // kTable / kTableList fields, or the raw value of any key given in the file.
  const Value* Raw(std::string_view key) const;
  // True if the key was given in the file (not defaulted).
  bool Has(std::string_view key) const;
  Position PositionOf(std::string_view key) const;

 private:
  friend StatusOr<Options> ApplySchema(const Value& table, const Schema& schema, std::string_view path);
  struct Entry {
    Stored value;
    bool given = false;
    Position position;
    Value raw;
  };
  const Entry& At(std::string_view key) const;
  std::map<std::string, Entry, std::less<>> entries_;
};

// Checks `table` against `schema`: unknown keys, wrong types, out-of-range
// values, missing required keys, one_of. Every problem is reported, one per
// line: "conf/agent.toml:14: inputs.redis[0].address: expected a string, got integer".
StatusOr<Options> ApplySchema(const Value& table, const Schema& schema, std::string_view path);

}  // namespace cistern::config

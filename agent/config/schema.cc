#include "agent/config/schema.h"

#include <cstdio>
#include <cstdlib>

#include "agent/config/reader.h"
#include "agent/config/toml_parse.h"

namespace cistern::config {

const Options::Entry& Options::At(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    std::fprintf(stderr, "config: option \"%.*s\" is not in the plugin's schema\n", static_cast<int>(key.size()),
                 key.data());
    std::abort();  // a programming error, not bad input
  }
  return it->second;
}

template <typename T>
static T GetOr(const Options::Stored& s) {
  if (const T* v = std::get_if<T>(&s)) return *v;
  return T{};
}

bool Options::GetBool(std::string_view k) const { return GetOr<bool>(At(k).value); }
int64_t Options::GetInt(std::string_view k) const { return GetOr<int64_t>(At(k).value); }
double Options::GetFloat(std::string_view k) const { return GetOr<double>(At(k).value); }
std::string Options::GetString(std::string_view k) const { return GetOr<std::string>(At(k).value); }
Duration Options::GetDuration(std::string_view k) const { return GetOr<Duration>(At(k).value); }
uint64_t Options::GetSize(std::string_view k) const { return GetOr<uint64_t>(At(k).value); }
std::vector<std::string> Options::GetStringList(std::string_view k) const {
  return GetOr<std::vector<std::string>>(At(k).value);
}
std::vector<int64_t> Options::GetIntList(std::string_view k) const { return GetOr<std::vector<int64_t>>(At(k).value); }
std::map<std::string, std::string> Options::GetStringMap(std::string_view k) const {
  return GetOr<std::map<std::string, std::string>>(At(k).value);
}
const Value* Options::Raw(std::string_view k) const {
  auto it = entries_.find(k);
  return it != entries_.end() && it->second.given ? &it->second.raw : nullptr;
}
bool Options::Has(std::string_view k) const {
  auto it = entries_.find(k);
  return it != entries_.end() && it->second.given;
}
Position Options::PositionOf(std::string_view k) const {
  auto it = entries_.find(k);
  return it != entries_.end() ? it->second.position : Position{};
}

namespace {

// Reads one field from `r` into `out`; true if present and valid.
bool ReadField(TableReader& r, const Field& f, Options::Stored* out) {
  const std::string& k = f.key;
  int64_t imin = f.min ? static_cast<int64_t>(*f.min) : INT64_MIN;
  int64_t imax = f.max ? static_cast<int64_t>(*f.max) : INT64_MAX;
  switch (f.type) {
    case FieldType::kBool: { bool v; if (!r.Bool(k, &v)) return false; *out = v; return true; }
    case FieldType::kInt: { int64_t v; if (!r.Int(k, &v, imin, imax)) return false; *out = v; return true; }
    case FieldType::kFloat: {
      double v;
      if (!r.Float(k, &v, f.min.value_or(-1e308), f.max.value_or(1e308))) return false;
      *out = v;
      return true;
    }
    case FieldType::kString: {
      std::string v;
      if (!(f.one_of.empty() ? r.String(k, &v) : r.OneOf(k, &v, f.one_of))) return false;
      *out = v;
      return true;
    }
    case FieldType::kDuration: {
      Duration v;
      if (!r.Dur(k, &v, Duration(f.min ? static_cast<int64_t>(*f.min) : 0))) return false;
      if (f.max && v.count() > *f.max) {
        r.Fail(k, "duration must be at most " + FormatDuration(Duration(static_cast<int64_t>(*f.max))));
        return false;
      }
      *out = v;
      return true;
    }
    case FieldType::kSize: {
      uint64_t v;
      if (!r.Size(k, &v, f.min ? static_cast<uint64_t>(*f.min) : 0, f.max ? static_cast<uint64_t>(*f.max) : UINT64_MAX))
        return false;
      *out = v;
      return true;
    }
    case FieldType::kStringList: { std::vector<std::string> v; if (!r.StringList(k, &v)) return false; *out = v; return true; }
    case FieldType::kIntList: { std::vector<int64_t> v; if (!r.IntList(k, &v)) return false; *out = v; return true; }
    case FieldType::kStringMap: { std::map<std::string, std::string> v; if (!r.StringMap(k, &v)) return false; *out = v; return true; }
    case FieldType::kTable: { const Value* v = r.Table(k); if (!v) return false; *out = *v; return true; }
    case FieldType::kTableList: {
      const Value* raw = r.Raw(k);
      if (!raw) return false;
      auto list = r.TableList(k);
      if (!r.errors()->empty() && list.empty()) return false;
      *out = *raw;
      return true;
    }
  }
  return false;
}

}  // namespace

StatusOr<Options> ApplySchema(const Value& table, const Schema& schema, std::string_view path) {
  Errors errors;
  TableReader r(&table, std::string(path), &errors);
  Options opts;
  for (const Field& f : schema) {
    Options::Entry e;
    if (r.Has(f.key)) {
      e.given = true;
      e.raw = *table.Find(f.key);
      e.position = e.raw.position();
      ReadField(r, f, &e.value);
    } else {
      r.Raw(f.key);  // known
      if (f.required) {
        r.Require(f.key);
      } else if (!f.default_value.empty()) {
        // Defaults are written by us: parse them with the same readers.
        std::string text = f.default_value;
        if ((f.type == FieldType::kDuration || f.type == FieldType::kSize) && text.front() != '"') {
          text = "\"" + text + "\"";
        }
        auto parsed = ParseTomlText(f.key + " = " + text, "<default of " + std::string(path) + "." + f.key + ">");
        Errors derr;
        if (parsed.ok()) {
          TableReader dr(&*parsed, std::string(path), &derr);
          ReadField(dr, f, &e.value);
        }
        if (!parsed.ok() || !derr.empty()) {
          errors.Add({}, std::string(path) + "." + f.key, "bad built-in default \"" + f.default_value + "\"");
        }
      }
    }
    opts.entries_.emplace(f.key, std::move(e));
  }
  r.Finish();
  if (!errors.empty()) return InvalidArgumentError(errors.Join());
  return opts;
}

}  // namespace cistern::config

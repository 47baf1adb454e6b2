#include "agent/config/value.h"

namespace cistern::config {

std::string Position::ToString() const {
  if (file.empty()) return "<built-in>";
  if (line <= 0) return file;
  return file + ":" + std::to_string(line);
}

std::string_view TypeName(Value::Type t) {
  switch (t) {
    case Value::Type::kBool: return "boolean";
    case Value::Type::kInt: return "integer";
    case Value::Type::kFloat: return "float";
    case Value::Type::kString: return "string";
    case Value::Type::kArray: return "array";
    case Value::Type::kTable: return "table";
  }
  return "value";
}

std::string_view Value::TypeName() const { return config::TypeName(type()); }

const Value* Value::Find(std::string_view key) const {
  if (!is(Type::kTable)) return nullptr;
  for (const auto& [k, v] : AsTable()) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace cistern::config

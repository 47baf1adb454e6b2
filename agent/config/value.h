// A generic configuration value tree with source positions: what the TOML
// loader produces and what plugin schemas validate. Immutable after load;
// thread-compatible value type.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace cistern::config {

struct Position {
  std::string file;
  int line = 0;
  int column = 0;
  // "conf/agent.toml:14" (or "conf/agent.toml" without a line, or "<built-in>").
  std::string ToString() const;
};

class Value {
 public:
  enum class Type { kBool, kInt, kFloat, kString, kArray, kTable };
  using Array = std::vector<Value>;
  using Table = std::vector<std::pair<std::string, Value>>;  // in file order

  Value() : v_(Table{}) {}
  static Value Bool(bool b, Position p = {}) { return Value(b, std::move(p)); }
  static Value Int(int64_t i, Position p = {}) { return Value(i, std::move(p)); }
  static Value Float(double d, Position p = {}) { return Value(d, std::move(p)); }
  static Value String(std::string s, Position p = {}) { return Value(std::move(s), std::move(p)); }
  static Value MakeArray(Array a, Position p = {}) { return Value(std::move(a), std::move(p)); }
  static Value MakeTable(Table t, Position p = {}) { return Value(std::move(t), std::move(p)); }
  static Value EmptyTable() { return MakeTable({}); }

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is(Type t) const { return type() == t; }
  const Position& position() const { return pos_; }
  // "boolean", "integer", "float", "string", "array", "table"
  std::string_view TypeName() const;

  bool AsBool() const { return std::get<bool>(v_); }
  int64_t AsInt() const { return std::get<int64_t>(v_); }
  double AsFloat() const { return is(Type::kInt) ? static_cast<double>(AsInt()) : std::get<double>(v_); }
  const std::string& AsString() const { return std::get<std::string>(v_); }
  const Array& AsArray() const { return std::get<Array>(v_); }
  const Table& AsTable() const { return std::get<Table>(v_); }
  Table& MutableTable() { return std::get<Table>(v_); }

  // Tables only: the value of `key`, or nullptr.
  const Value* Find(std::string_view key) const;

  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

 private:
  template <typename T>
  Value(T v, Position p) : v_(std::move(v)), pos_(std::move(p)) {}
  std::variant<bool, int64_t, double, std::string, Array, Table> v_;
  Position pos_;
};

std::string_view TypeName(Value::Type t);

}  // namespace cistern::config

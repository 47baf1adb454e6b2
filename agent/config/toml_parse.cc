#include "agent/config/toml_parse.h"

#include <cstdlib>
#include <toml++/toml.h>

namespace cistern::config {
namespace {

constexpr int kMaxDepth = 64;

struct Converter {
  std::string file;
  std::string errors;

  Position Pos(const toml::source_region& src) const {
    return Position{file, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
  }

  void Fail(const Position& p, const std::string& key, const std::string& msg) {
    if (!errors.empty()) errors += "\n";
    errors += p.ToString() + ": " + key + ": " + msg;
  }

  std::string Expand(const std::string& s, const Position& p, const std::string& key) {
    if (s.find('$') == std::string::npos) return s;
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s.compare(i, 3, "$${") == 0) {
        out += "${";
        i += 2;
      } else if (s.compare(i, 2, "${") == 0) {
        size_t close = s.find('}', i + 2);
        if (close == std::string::npos) {
          Fail(p, key, "unterminated ${ in \"" + s + "\"");
          return s;
        }
        std::string name = s.substr(i + 2, close - i - 2);
        const char* v = std::getenv(name.c_str());
        if (name.empty() || v == nullptr) {
          Fail(p, key, "undefined environment variable \"" + name + "\"");
        } else {
          out += v;
        }
        i = close;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  Value Convert(const toml::node& n, const std::string& key, int depth) {
    Position p = Pos(n.source());
    if (depth > kMaxDepth) {
      Fail(p, key, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
      return Value::EmptyTable();
    }
    if (const auto* t = n.as_table()) {
      Value::Table out;
      for (const auto& [k, v] : *t) {
        std::string name(k.str());
        out.emplace_back(name, Convert(v, key.empty() ? name : key + "." + name, depth + 1));
      }
      return Value::MakeTable(std::move(out), p);
    }
    if (const auto* a = n.as_array()) {
      Value::Array out;
      size_t i = 0;
      for (const auto& v : *a) out.push_back(Convert(v, key + "[" + std::to_string(i++) + "]", depth + 1));
      return Value::MakeArray(std::move(out), p);
    }
    if (const auto* s = n.as_string()) return Value::String(Expand(s->get(), p, key), p);
    if (const auto* i = n.as_integer()) return Value::Int(i->get(), p);
    if (const auto* f = n.as_floating_point()) return Value::Float(f->get(), p);
    if (const auto* b = n.as_boolean()) return Value::Bool(b->get(), p);
    Fail(p, key, "dates and times are not supported here; use a string");
    return Value::String("", p);
  }
};

}  // namespace

StatusOr<Value> ParseTomlText(std::string_view text, std::string_view filename) {
  // Cheap guard against pathological nesting before handing the text to the
  // recursive parser.
  int depth = 0, max_depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') max_depth = std::max(max_depth, ++depth);
    if (c == ']' || c == '}') --depth;
  }
  if (max_depth > 2 * kMaxDepth) {
    return InvalidArgumentError(std::string(filename) + ": brackets nested deeper than " +
                                std::to_string(2 * kMaxDepth) + " levels");
  }
  Converter conv{std::string(filename), {}};
  try {
    toml::table root = toml::parse(text, std::string_view(filename));
    Value v = conv.Convert(root, "", 0);
    if (!conv.errors.empty()) return InvalidArgumentError(conv.errors);
    return Value::MakeTable(std::move(const_cast<Value::Table&>(v.AsTable())), Position{conv.file, 0, 0});
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return InvalidArgumentError(std::string(filename) + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                                ": " + std::string(e.description()));
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string(filename) + ": " + e.what());
  }
}

}  // namespace cistern::config

#include "agent/config/reader.h"

#include "agent/model/labels.h"

namespace cistern::config {

void Errors::Add(const Position& pos, const std::string& path, const std::string& message) {
  lines_.push_back(pos.ToString() + ": " + (path.empty() ? "" : path + ": ") + message);
}

std::string Errors::Join() const {
  std::string out;
  for (const std::string& l : lines_) {
    if (!out.empty()) out += "\n";
    out += l;
  }
  return out;
}

TableReader::TableReader(const Value* table, std::string path, Errors* errors)
    : table_(table), path_(std::move(path)), errors_(errors) {}

std::string TableReader::KeyPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

Position TableReader::PositionOf(std::string_view key) const {
  if (table_) {
    if (const Value* v = table_->Find(key)) return v->position();
    return table_->position();
  }
  return {};
}

bool TableReader::Has(std::string_view key) const { return table_ && table_->Find(key) != nullptr; }

const Value* TableReader::Raw(std::string_view key) {
  known_.insert(std::string(key));
  return table_ ? table_->Find(key) : nullptr;
}

const Value* TableReader::Get(std::string_view key, Value::Type type, std::string_view expected) {
  const Value* v = Raw(key);
  if (v == nullptr) return nullptr;
  bool ok = v->is(type) || (type == Value::Type::kFloat && v->is(Value::Type::kInt));
  if (!ok) {
    errors_->Add(v->position(), KeyPath(key),
                 "expected " + std::string(expected) + ", got " + std::string(v->TypeName()));
    return nullptr;
  }
  return v;
}

void TableReader::Fail(std::string_view key, const std::string& message) {
  errors_->Add(PositionOf(key), KeyPath(key), message);
}

void TableReader::Require(std::string_view key) {
  known_.insert(std::string(key));
  if (!Has(key)) errors_->Add(table_ ? table_->position() : Position{}, KeyPath(key), "required key is missing");
}

bool TableReader::Bool(std::string_view key, bool* out) {
  const Value* v = Get(key, Value::Type::kBool, "a boolean (true or false)");
  if (!v) return false;
  *out = v->AsBool();
  return true;
}

bool TableReader::Int(std::string_view key, int64_t* out, int64_t min, int64_t max) {
  const Value* v = Get(key, Value::Type::kInt, "an integer");
  if (!v) return false;
  if (v->AsInt() < min || v->AsInt() > max) {
    Fail(key, "value " + std::to_string(v->AsInt()) + " out of range [" + std::to_string(min) + ", " +
                  std::to_string(max) + "]");
    return false;
  }
  *out = v->AsInt();
  return true;
}

bool TableReader::Float(std::string_view key, double* out, double min, double max) {
  const Value* v = Get(key, Value::Type::kFloat, "a number");
  if (!v) return false;
  double d = v->AsFloat();
  if (!(d >= min && d <= max)) {
    Fail(key, "value " + std::to_string(d) + " out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return false;
  }
  *out = d;
  return true;
}

bool TableReader::String(std::string_view key, std::string* out) {
  const Value* v = Get(key, Value::Type::kString, "a string");
  if (!v) return false;
  *out = v->AsString();
  return true;
}

bool TableReader::OneOf(std::string_view key, std::string* out, const std::vector<std::string>& allowed) {
  std::string s;
  if (!String(key, &s)) return false;
  std::string list;
  for (const std::string& a : allowed) {
    if (a == s) {
      *out = s;
      return true;
    }
    list += (list.empty() ? "\"" : ", \"") + a + "\"";
  }
  Fail(key, "\"" + s + "\" is not one of " + list);
  return false;
}

bool TableReader::Dur(std::string_view key, Duration* out, Duration min) {
  const Value* v = Get(key, Value::Type::kString, "a duration string like \"15s\"");
  if (!v) return false;
  auto d = ParseDuration(v->AsString());
  if (!d.ok()) {
    Fail(key, d.status().message());
    return false;
  }
  if (*d < min) {
    Fail(key, "duration " + v->AsString() + " must be at least " + FormatDuration(min));
    return false;
  }
  *out = *d;
  return true;
}

bool TableReader::Size(std::string_view key, uint64_t* out, uint64_t min, uint64_t max) {
  const Value* v = Raw(key);
  if (!v) return false;
  uint64_t n;
  if (v->is(Value::Type::kInt) && v->AsInt() >= 0) {
    n = static_cast<uint64_t>(v->AsInt());
  } else if (v->is(Value::Type::kString)) {
    auto s = ParseSize(v->AsString());
    if (!s.ok()) {
      Fail(key, s.status().message());
      return false;
    }
    n = *s;
  } else {
    errors_->Add(v->position(), KeyPath(key),
                 "expected a size like \"512MiB\", got " + std::string(v->TypeName()));
    return false;
  }
  if (n < min || n > max) {
    Fail(key, "size " + FormatSize(n) + " out of range [" + FormatSize(min) + ", " + FormatSize(max) + "]");
    return false;
  }
  *out = n;
  return true;
}

bool TableReader::StringList(std::string_view key, std::vector<std::string>* out) {
  const Value* v = Get(key, Value::Type::kArray, "an array of strings");
  if (!v) return false;
  std::vector<std::string> r;
  for (const Value& e : v->AsArray()) {
    if (!e.is(Value::Type::kString)) {
      errors_->Add(e.position(), KeyPath(key), "expected an array of strings, found " + std::string(e.TypeName()));
      return false;
    }
    r.push_back(e.AsString());
  }
  *out = std::move(r);
  return true;
}

bool TableReader::IntList(std::string_view key, std::vector<int64_t>* out) {
  const Value* v = Get(key, Value::Type::kArray, "an array of integers");
  if (!v) return false;
  std::vector<int64_t> r;
  for (const Value& e : v->AsArray()) {
    if (!e.is(Value::Type::kInt)) {
      errors_->Add(e.position(), KeyPath(key), "expected an array of integers, found " + std::string(e.TypeName()));
      return false;
    }
    r.push_back(e.AsInt());
  }
  *out = std::move(r);
  return true;
}

bool TableReader::StringMap(std::string_view key, std::map<std::string, std::string>* out) {
  const Value* v = Get(key, Value::Type::kTable, "a table of strings like { a = \"b\" }");
  if (!v) return false;
  std::map<std::string, std::string> r;
  bool ok = true;
  for (const auto& [k, e] : v->AsTable()) {
    if (!e.is(Value::Type::kString)) {
      errors_->Add(e.position(), KeyPath(key) + "." + k, "expected a string, got " + std::string(e.TypeName()));
      ok = false;
      continue;
    }
    r[k] = e.AsString();
  }
  if (ok) *out = std::move(r);
  return ok;
}

bool TableReader::LabelMap(std::string_view key, std::map<std::string, std::string>* out) {
  std::map<std::string, std::string> m;
  if (!StringMap(key, &m)) return false;
  bool ok = true;
  for (const auto& [k, v] : m) {
    if (!model::IsValidLabelName(k) || k.rfind("__", 0) == 0) {
      Fail(key, "invalid label name \"" + k + "\" (want [a-zA-Z_][a-zA-Z0-9_]*, not starting with __)");
      ok = false;
    } else if (v.empty()) {
      Fail(key, "label \"" + k + "\" has an empty value");
      ok = false;
    }
  }
  if (ok) *out = std::move(m);
  return ok;
}

const Value* TableReader::Table(std::string_view key) { return Get(key, Value::Type::kTable, "a table"); }

std::vector<const Value*> TableReader::TableList(std::string_view key) {
  std::vector<const Value*> out;
  const Value* v = Raw(key);
  if (!v) return out;
  if (v->is(Value::Type::kTable)) {  // a single [key] table where [[key]] was meant: accept as one
    out.push_back(v);
    return out;
  }
  if (!v->is(Value::Type::kArray)) {
    errors_->Add(v->position(), KeyPath(key), "expected an array of tables [[" + KeyPath(key) + "]], got " +
                                                  std::string(v->TypeName()));
    return out;
  }
  for (const Value& e : v->AsArray()) {
    if (!e.is(Value::Type::kTable)) {
      errors_->Add(e.position(), KeyPath(key), "expected an array of tables, found " + std::string(e.TypeName()));
      continue;
    }
    out.push_back(&e);
  }
  return out;
}

void TableReader::Finish() {
  if (!table_ || !table_->is(Value::Type::kTable)) return;
  std::string known;
  for (const std::string& k : known_) known += (known.empty() ? "" : ", ") + k;
  for (const auto& [k, v] : table_->AsTable()) {
    if (known_.count(k)) continue;
    errors_->Add(v.position(), KeyPath(k),
                 "unknown key" + (known.empty() ? std::string(" (this table takes no keys)") : " (known: " + known + ")"));
  }
}

std::string CheckUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "expected an http:// or https:// URL, got \"" + url + "\"";
  std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return "unsupported URL scheme \"" + scheme + "\" (http or https)";
  std::string rest = url.substr(scheme_end + 3);
  std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  std::string host = authority;
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    if (close == std::string::npos) return "malformed IPv6 host in URL \"" + url + "\"";
    std::string port = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!port.empty() && port[0] == ':') port = port.substr(1);
    for (char c : port)
      if (c < '0' || c > '9') return "invalid port in URL \"" + url + "\"";
  } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
    std::string port = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (port.empty()) return "empty port in URL \"" + url + "\"";
    for (char c : port)
      if (c < '0' || c > '9') return "invalid port in URL \"" + url + "\"";
    if (port.size() > 5 || std::stoi(port) > 65535) return "port out of range in URL \"" + url + "\"";
  }
  if (host.empty()) return "URL \"" + url + "\" has no host";
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ') return "URL \"" + url + "\" contains whitespace or control characters";
  return "";
}

std::string CheckListen(const std::string& listen) {
  std::string port;
  if (!listen.empty() && listen[0] == '[') {
    size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return "expected \"[ipv6]:port\", got \"" + listen + "\"";
    }
    port = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return "expected \"host:port\" (e.g. \"127.0.0.1:9090\" or \":9090\"), got \"" + listen + "\"";
    if (listen.substr(0, colon).find(':') != std::string::npos) return "IPv6 addresses need brackets: \"[::1]:9090\"";
    port = listen.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5) return "invalid port in \"" + listen + "\"";
  for (char c : port)
    if (c < '0' || c > '9') return "invalid port in \"" + listen + "\"";
  if (std::stoi(port) > 65535) return "port out of range in \"" + listen + "\"";
  return "";
}

}  // namespace cistern::config

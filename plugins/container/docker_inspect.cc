#include "plugins/container/docker_inspect.h"

#include <cmath>
#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

namespace cistern::plugins::container {
namespace {

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject } type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string str;
  std::vector<Json> array;        // kArray: the elements; kObject: the member values
  std::vector<std::string> keys;  // kObject: the member names

  const Json* Get(std::string_view key) const {
    if (type != Type::kObject) return nullptr;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &array[i];
    }
    return nullptr;
  }
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  Status Document(Json* out) {
    CISTERN_RETURN_IF_ERROR(Value(out, 0));
    Space();
    if (pos_ != in_.size()) return Error("trailing characters after the value");
    return OkStatus();
  }

 private:
  Status Error(std::string_view what) const {
    return InvalidArgumentError("offset " + std::to_string(pos_) + ": " + std::string(what));
  }
  void Space() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Literal(std::string_view word) {
    if (in_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status Value(Json* out, int depth) {
    if (depth > 64) return Error("nesting too deep");
    Space();
    if (pos_ >= in_.size()) return Error("unexpected end of input");
    char c = in_[pos_];
    if (c == '{') return Object(out, depth);
    if (c == '[') return Array(out, depth);
    if (c == '"') {
      out->type = Json::Type::kString;
      return String(&out->str);
    }
    if (Literal("true") || Literal("false")) {
      out->type = Json::Type::kBool;
      out->boolean = c == 't';
      return OkStatus();
    }
    if (Literal("null")) {
      out->type = Json::Type::kNull;
      return OkStatus();
    }
    return Number(out);
  }

  Status Object(Json* out, int depth) {
    out->type = Json::Type::kObject;
    ++pos_;  // '{'
    Space();
    if (pos_ < in_.size() && in_[pos_] == '}') {
      ++pos_;
      return OkStatus();
    }
    while (true) {
      Space();
      if (pos_ >= in_.size() || in_[pos_] != '"') return Error("expected a member name");
      std::string key;
      CISTERN_RETURN_IF_ERROR(String(&key));
      Space();
      if (pos_ >= in_.size() || in_[pos_] != ':') return Error("expected ':'");
      ++pos_;
      Json v;
      CISTERN_RETURN_IF_ERROR(Value(&v, depth + 1));
      out->keys.push_back(std::move(key));
      out->array.push_back(std::move(v));
      Space();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < in_.size() && in_[pos_] == '}') {
        ++pos_;
        return OkStatus();
      }
      return Error("expected ',' or '}'");
    }
  }

  Status Array(Json* out, int depth) {
    out->type = Json::Type::kArray;
    ++pos_;  // '['
    Space();
    if (pos_ < in_.size() && in_[pos_] == ']') {
      ++pos_;
      return OkStatus();
    }
    while (true) {
      Json v;
      CISTERN_RETURN_IF_ERROR(Value(&v, depth + 1));
      out->array.push_back(std::move(v));
      Space();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < in_.size() && in_[pos_] == ']') {
        ++pos_;
        return OkStatus();
      }
      return Error("expected ',' or ']'");
    }
  }

  Status Number(Json* out) {
    size_t start = pos_;
    if (pos_ < in_.size() && in_[pos_] == '-') ++pos_;
    size_t digits = pos_;
    while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
    if (pos_ == digits) return Error("expected a value");
    if (pos_ < in_.size() && in_[pos_] == '.') {
      ++pos_;
      size_t frac = pos_;
      while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
      if (pos_ == frac) return Error("expected digits after '.'");
    }
    if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
      size_t exp = pos_;
      while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
      if (pos_ == exp) return Error("expected an exponent");
    }
    out->type = Json::Type::kNumber;
    out->number = std::strtod(std::string(in_.substr(start, pos_ - start)).c_str(), nullptr);
    return OkStatus();
  }

  Status Hex4(uint32_t* out) {
    if (pos_ + 4 > in_.size()) return Error("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = in_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return Error("bad \\u escape");
    }
    *out = v;
    return OkStatus();
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  Status String(std::string* out) {
    ++pos_;  // '"'
    while (true) {
      if (pos_ >= in_.size()) return Error("unterminated string");
      char c = in_[pos_++];
      if (c == '"') return OkStatus();
      if (static_cast<unsigned char>(c) < 0x20) return Error("control character in string");
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= in_.size()) return Error("unterminated string");
      char e = in_[pos_++];
      switch (e) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          CISTERN_RETURN_IF_ERROR(Hex4(&cp));
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
            uint32_t lo = 0;
            if (!Literal("\\u")) return Error("lone surrogate in \\u escape");
            CISTERN_RETURN_IF_ERROR(Hex4(&lo));
            if (lo < 0xDC00 || lo > 0xDFFF) return Error("bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Error("lone surrogate in \\u escape");
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Error("bad escape");
      }
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
};

std::string StringOf(const Json* j) { return j != nullptr && j->type == Json::Type::kString ? j->str : ""; }

}  // namespace

StatusOr<DockerContainer> ParseDockerInspect(std::string_view json) {
  Json doc;
  CISTERN_RETURN_IF_ERROR(Reader(json).Document(&doc));
  if (doc.type != Json::Type::kObject) return InvalidArgumentError("offset 0: expected an object");
  DockerContainer out;
  out.name = StringOf(doc.Get("Name"));
  if (!out.name.empty() && out.name[0] == '/') out.name.erase(0, 1);
  if (const Json* config = doc.Get("Config")) {
    out.image = StringOf(config->Get("Image"));
    if (const Json* labels = config->Get("Labels");
        labels != nullptr && labels->type == Json::Type::kObject) {
      for (size_t i = 0; i < labels->keys.size(); ++i) {
        if (labels->array[i].type == Json::Type::kString) out.labels[labels->keys[i]] = labels->array[i].str;
      }
    }
  }
  if (const Json* state = doc.Get("State")) {
    const Json* pid = state->Get("Pid");
    if (pid != nullptr && pid->type == Json::Type::kNumber && pid->number > 0 && pid->number < 2147483647.0) {
      out.pid = static_cast<int>(pid->number);
    }
  }
  return out;
}

}  // namespace cistern::plugins::container

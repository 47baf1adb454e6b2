#include "plugins/host/os_release.h"

#include <utility>
#include <vector>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

bool IsLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

Status ParseValue(std::string_view in, std::string* out) {
  enum Mode { kNormal, kDouble, kSingle, kEscape } mode = kNormal;
  std::string v;
  size_t last_significant = 0;  // for trimming the blanks before a trailing comment
  for (unsigned char c : in) {
    if (c < 32) {
      static const char kHex[] = "0123456789abcdef";
      return InvalidArgumentError(std::string("0x") + kHex[c >> 4] + kHex[c & 15] +
                                  " is an invalid value character");
    }
    if (c > 127) {  // part of a multi-byte character: passed through
      if (mode == kEscape) return InvalidArgumentError("multibyte characters disallowed in escape sequences");
      v += static_cast<char>(c);
      last_significant = v.size();
      continue;
    }
    switch (mode) {
      case kNormal:
        if (c == '"') {
          mode = kDouble;
        } else if (c == '\'') {
          mode = kSingle;
        } else if (c == '#') {
          v.resize(last_significant);
          *out = std::move(v);
          return OkStatus();
        } else {
          v += static_cast<char>(c);
          if (c != ' ' && c != '\t') last_significant = v.size();
        }
        break;
      case kDouble:
        if (c == '"') {
          mode = kNormal;
        } else if (c == '\\') {
          mode = kEscape;
        } else {
          v += static_cast<char>(c);
          last_significant = v.size();
        }
        break;
      case kEscape:
        switch (c) {
          case '"':
            v += '"';
            break;
          case '\\':
            v += '\\';
            break;
          case 'n':
            v += '\n';
            break;
          case 't':
            v += '\t';
            break;
          default:
            return InvalidArgumentError(std::string("invalid escape sequence: \\") + static_cast<char>(c));
        }
        last_significant = v.size();
        mode = kDouble;
        break;
      case kSingle:
        if (c == '\'') {
          mode = kNormal;
        } else {
          v += static_cast<char>(c);
          last_significant = v.size();
        }
        break;
    }
  }
  if (mode == kDouble) return InvalidArgumentError("unmatched \"");
  if (mode == kSingle) return InvalidArgumentError("unmatched '");
  if (mode == kEscape) return InvalidArgumentError("incomplete escape sequence");
  *out = std::move(v);
  return OkStatus();
}

Status ParseLine(std::string_view line, std::map<std::string, std::string>* env) {
  size_t eq = line.find('=');
  if (eq == std::string_view::npos) return InvalidArgumentError("missing \"=\"");
  std::string_view key = TrimSpace(line.substr(0, eq));
  std::string_view value = TrimSpace(line.substr(eq + 1));
  if (key.substr(0, 7) == "export ") key.remove_prefix(7);
  if (key.empty()) return InvalidArgumentError("empty key");
  if (!IsLetter(key[0]) && key[0] != '_') {
    return InvalidArgumentError(std::string("key must start with [A-Za-z_] but found '") + key[0] + "'");
  }
  for (char c : key.substr(1)) {
    if (!IsLetter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '.' && c != '/') {
      return InvalidArgumentError(std::string("key characters must be [A-Za-z0-9/_.] but found '") + c + "'");
    }
  }
  std::string v;
  CISTERN_RETURN_IF_ERROR(ParseValue(value, &v));
  (*env)[std::string(key)] = std::move(v);
  return OkStatus();
}

}  // namespace

StatusOr<std::map<std::string, std::string>> ParseOsRelease(std::string_view text) {
  std::map<std::string, std::string> env;
  size_t line_no = 0;
  for (std::string_view line : Lines(text)) {
    ++line_no;
    std::string_view t = TrimSpace(line);
    if (t.empty() || t.front() == '#') continue;
    Status s = ParseLine(line, &env);
    if (!s.ok()) return s.Annotate("line " + std::to_string(line_no));
  }
  return env;
}

double OsVersion(std::string_view version_id) {
  size_t n = 0;
  while (n < version_id.size() && version_id[n] >= '0' && version_id[n] <= '9') ++n;
  if (n == 0) return 0;
  if (n < version_id.size() && version_id[n] == '.') {
    ++n;
    while (n < version_id.size() && version_id[n] >= '0' && version_id[n] <= '9') ++n;
  }
  double v = 0;
  std::string_view num = version_id.substr(0, n);
  if (num.back() == '.') num.remove_suffix(1);  // "7." is 7 (Go's ParseFloat accepts the dot)
  return ParseFloat(num, &v) ? v : 0;
}

namespace {

// node_os_info's labels and the os-release keys they come from.
constexpr std::pair<std::string_view, std::string_view> kInfoLabels[] = {
    {"build_id", "BUILD_ID"},
    {"id", "ID"},
    {"id_like", "ID_LIKE"},
    {"image_id", "IMAGE_ID"},
    {"image_version", "IMAGE_VERSION"},
    {"name", "NAME"},
    {"pretty_name", "PRETTY_NAME"},
    {"variant", "VARIANT"},
    {"variant_id", "VARIANT_ID"},
    {"version", "VERSION"},
    {"version_codename", "VERSION_CODENAME"},
    {"version_id", "VERSION_ID"},
};

// Well-formed UTF-8 sequences (label values must be).
bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 4;
    if (n == 4 || i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n + 1;
  }
  return true;
}

class OsCollector : public Collector {
 public:
  explicit OsCollector(const HostConfig& config)
      : paths_{config.Root("etc/os-release"), config.Root("usr/lib/os-release")} {}

  Status Collect(Emitter& out) override {
    for (const std::string& path : paths_) {
      auto text = ReadProcFile(path);
      if (text.status().code() == StatusCode::kNotFound) continue;
      if (!text.ok()) return text.status();
      auto env = ParseOsRelease(*text);
      if (!env.ok()) return env.status().Annotate(path);
      return Emit(path, *env, out);
    }
    return NotFoundError("no " + paths_[0] + " or " + paths_[1]);
  }

 private:
  static Status Emit(const std::string& path, const std::map<std::string, std::string>& env, Emitter& out) {
    auto get = [&](std::string_view key) -> std::string {
      auto it = env.find(std::string(key));
      return it == env.end() ? std::string() : it->second;
    };
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& [label, key] : kInfoLabels) {
      std::string v = get(key);
      // node_exporter panics on such a file; one collector failing is enough.
      if (!ValidUtf8(v)) return InvalidArgumentError(path + ": " + std::string(key) + " is not valid utf-8");
      labels.emplace_back(label, std::move(v));
    }
    out.Add("node_os_info", labels, 1);
    double version = OsVersion(get("VERSION_ID"));
    if (version > 0) {
      out.Add("node_os_version", {{"id", get("ID")}, {"id_like", get("ID_LIKE")}, {"name", get("NAME")}},
              version);
    }
    return OkStatus();
  }

  std::string paths_[2];
};

}  // namespace

std::unique_ptr<Collector> NewOsCollector(const HostConfig& config) {
  return std::make_unique<OsCollector>(config);
}

}  // namespace cistern::plugins::host

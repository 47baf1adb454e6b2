#include "plugins/webvitals/page_normalizer.h"

#include <cstdint>

namespace cistern::plugins::webvitals {
namespace {

constexpr size_t kMaxSegments = 16;
constexpr size_t kMaxSegmentBytes = 64;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Valid UTF-8 without C0/C1 controls or DEL.
bool IsCleanUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp >= 0x80 && cp <= 0x9f) return false;  // C1 controls
    i += n + 1;
  }
  return true;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

// Splits a path into its non-empty segments.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The path of a URL ("https://h/p?q" -> "/p"), "" for an opaque URL.
// `*opaque` is set for about:blank, data:..., mailto:... .
std::string_view PathOf(std::string_view url, bool* opaque) {
  *opaque = false;
  size_t cut = url.find_first_of("?#");
  if (cut != std::string_view::npos) url = url.substr(0, cut);
  // scheme ":" ...
  size_t colon = url.find(':');
  bool has_scheme = colon != std::string_view::npos && colon > 0 && IsAlpha(url[0]);
  for (size_t i = 0; has_scheme && i < colon; ++i) {
    char c = url[i];
    has_scheme = IsAlpha(c) || IsDigit(c) || c == '+' || c == '-' || c == '.';
  }
  if (has_scheme) {
    url.remove_prefix(colon + 1);
    if (url.substr(0, 2) != "//") {
      *opaque = true;
      return {};
    }
  }
  if (url.substr(0, 2) == "//") {  // authority
    url.remove_prefix(2);
    size_t slash = url.find('/');
    return slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  }
  return url;
}

bool MatchRoute(const std::vector<std::string>& pattern, const std::vector<std::string_view>& segs) {
  size_t i = 0;
  for (; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    if (p == "*") return true;  // the rest, possibly empty
    if (i >= segs.size()) return false;
    if (p[0] == ':') continue;
    if (p != segs[i]) return false;
  }
  return i == segs.size();
}

}  // namespace

bool LooksLikeId(std::string_view s) {
  if (s.empty()) return false;
  if (s.size() > kMaxSegmentBytes || !IsCleanUtf8(s)) return true;
  bool digits_and_separators = true, hex = true, alnum = true;
  size_t digits = 0, letters = 0;
  for (char c : s) {
    bool d = IsDigit(c);
    digits += d;
    letters += IsAlpha(c);
    if (!d && c != '-' && c != '_' && c != '.' && c != ',' && c != ':') digits_and_separators = false;
    if (!IsHex(c)) hex = false;
    if (!d && !IsAlpha(c)) alnum = false;
  }
  if (digits_and_separators && digits > 0) return true;
  if (IsUuid(s)) return true;
  if (hex && s.size() >= 8 && digits > 0) return true;
  if (alnum && s.size() >= 16 && digits > 0 && letters > 0) return true;
  return false;
}

StatusOr<PageNormalizer> PageNormalizer::Create(const std::vector<std::string>& routes) {
  PageNormalizer n;
  for (size_t i = 0; i < routes.size(); ++i) {
    const std::string& r = routes[i];
    std::string where = "routes[" + std::to_string(i) + "]: \"" + r + "\": ";
    if (r.empty() || r[0] != '/') return InvalidArgumentError(where + "must start with \"/\"");
    if (r.find_first_of("?#") != std::string::npos) {
      return InvalidArgumentError(where + "a route is a path, without query or fragment");
    }
    Route route;
    for (std::string_view s : Segments(r)) {
      if (!route.segments.empty() && route.segments.back() == "*") {
        return InvalidArgumentError(where + "\"*\" may only be the last segment");
      }
      if (s == ":") return InvalidArgumentError(where + "a \":\" segment needs a name (\":id\")");
      if (s.find('*') != std::string_view::npos && s != "*") {
        return InvalidArgumentError(where + "\"*\" must be a whole segment");
      }
      route.segments.emplace_back(s);
    }
    route.label = "/";
    for (size_t k = 0; k < route.segments.size(); ++k) route.label += (k ? "/" : "") + route.segments[k];
    n.routes_.push_back(std::move(route));
  }
  return n;
}

std::string PageNormalizer::Normalize(std::string_view url) const {
  bool opaque = false;
  std::string_view path = PathOf(url, &opaque);
  if (opaque || url.empty()) return std::string(kUnknownPage);
  std::vector<std::string_view> segs = Segments(path);
  for (const Route& r : routes_) {
    if (MatchRoute(r.segments, segs)) return r.label;
  }
  std::string out;
  out.reserve(path.size() + 1);
  for (size_t i = 0; i < segs.size(); ++i) {
    out += '/';
    if (i == kMaxSegments) {
      out += '*';
      break;
    }
    if (LooksLikeId(segs[i])) {
      out += ":id";
    } else {
      out += segs[i];
    }
  }
  if (out.empty()) out = "/";
  return out;
}

}  // namespace cistern::plugins::webvitals

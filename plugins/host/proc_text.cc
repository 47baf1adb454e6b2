#include "plugins/host/proc_text.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "agent/base/file_util.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

}  // namespace

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, 10);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.front() == '+') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, 10);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ParseFloat(std::string_view s, double* out) {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() == '+' || s.front() == '-') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out, std::chars_format::general);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  if (negative) *out = -*out;
  return true;
}

StatusOr<uint64_t> ReadUintFile(const std::string& path) {
  CISTERN_ASSIGN_OR_RETURN(std::string text, ReadProcFile(path));
  uint64_t v = 0;
  std::string_view t = TrimSpace(text);
  if (!ParseUint(t, &v))
    return InvalidArgumentError(path + ": not an unsigned integer: \"" + std::string(t) + "\"");
  return v;
}

StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    int err = errno;
    std::string msg = "list " + dir + ": " + ErrnoMessage(err);
    if (err == ENOENT || err == ENOTDIR) return NotFoundError(msg);
    return UnavailableError(msg);
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

Status AfterEmit(Status s) {
  if (s.code() == StatusCode::kNotFound) return FailedPreconditionError(s.message());
  return s;
}

}  // namespace cistern::plugins::host

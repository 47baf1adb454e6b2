#include "plugins/container/cgroup_parsers.h"

#include <cstdint>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::container {
namespace {

// Calls fn(line_number, line) for every non-blank line; stops at the first error.
template <typename Fn>
Status ForEachLine(std::string_view text, Fn fn) {
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    line = host::TrimSpace(line);
    if (line.empty()) continue;
    Status s = fn(line_no, line);
    if (!s.ok()) return s;
  }
  return OkStatus();
}

using host::Fields;
bool ParseU32(std::string_view s, uint32_t* out) {
  uint64_t v = 0;
  if (!host::ParseUint(s, &v) || v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

Status LineError(int line_no, std::string_view what, std::string_view line) {
  return InvalidArgumentError("line " + std::to_string(line_no) + ": " + std::string(what) + ", got \"" +
                              std::string(line.substr(0, 80)) + "\"");
}

// "8:0" -> major, minor.
bool ParseDevice(std::string_view s, uint32_t* major, uint32_t* minor) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  return ParseU32(s.substr(0, colon), major) && ParseU32(s.substr(colon + 1), minor);
}

Status ValueError(std::string_view what, std::string_view text) {
  return InvalidArgumentError(std::string(what) + ", got \"" + std::string(host::TrimSpace(text).substr(0, 80)) + "\"");
}

}  // namespace

StatusOr<FlatKeyed> ParseFlatKeyed(std::string_view text) {
  FlatKeyed out;
  Status s = ForEachLine(text, [&](int n, std::string_view line) -> Status {
    std::vector<std::string_view> f = Fields(line);
    uint64_t v = 0;
    if (f.size() != 2 || !host::ParseUint(f[1], &v)) return LineError(n, "expected \"key value\"", line);
    out[std::string(f[0])] = v;
    return OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<uint64_t> ParseCounter(std::string_view text) {
  uint64_t v = 0;
  if (!host::ParseUint(host::TrimSpace(text), &v)) return ValueError("expected an unsigned integer", text);
  return v;
}

StatusOr<std::optional<uint64_t>> ParseLimit(std::string_view text) {
  std::string_view t = host::TrimSpace(text);
  if (t == "max") return std::optional<uint64_t>();
  uint64_t v = 0;
  if (!host::ParseUint(t, &v)) return ValueError("expected an unsigned integer or \"max\"", text);
  return std::optional<uint64_t>(v);
}

StatusOr<std::optional<uint64_t>> ParseCfsQuotaV1(std::string_view text) {
  std::string_view t = host::TrimSpace(text);
  if (t == "-1") return std::optional<uint64_t>();
  uint64_t v = 0;
  if (!host::ParseUint(t, &v)) return ValueError("expected microseconds or -1", text);
  return std::optional<uint64_t>(v);
}

StatusOr<CpuMax> ParseCpuMax(std::string_view text) {
  std::vector<std::string_view> f = Fields(host::TrimSpace(text));
  CpuMax out;
  uint64_t quota = 0;
  if (f.size() != 2 || !host::ParseUint(f[1], &out.period_us) || (f[0] != "max" && !host::ParseUint(f[0], &quota))) {
    return ValueError("expected \"$QUOTA $PERIOD\"", text);
  }
  if (f[0] != "max") out.quota_us = quota;
  return out;
}

StatusOr<std::vector<uint64_t>> ParseUintList(std::string_view text) {
  std::vector<uint64_t> out;
  for (std::string_view f : Fields(host::TrimSpace(text))) {
    uint64_t v = 0;
    if (!host::ParseUint(f, &v)) return ValueError("expected unsigned integers", text);
    out.push_back(v);
  }
  return out;
}

StatusOr<std::vector<int>> ParseProcs(std::string_view text) {
  std::vector<int> out;
  Status s = ForEachLine(text, [&](int n, std::string_view line) -> Status {
    uint32_t pid = 0;
    if (!ParseU32(line, &pid) || pid == 0 || pid > 0x7fffffff) return LineError(n, "expected a pid", line);
    out.push_back(static_cast<int>(pid));
    return OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<std::vector<BlkioEntry>> ParseBlkioV1(std::string_view text) {
  std::vector<BlkioEntry> out;
  Status s = ForEachLine(text, [&](int n, std::string_view line) -> Status {
    std::vector<std::string_view> f = Fields(line);
    uint64_t v = 0;
    if (f.size() == 2 && f[0] == "Total" && host::ParseUint(f[1], &v)) return OkStatus();  // the summary line
    BlkioEntry e;
    if (f.size() != 3 || !ParseDevice(f[0], &e.major, &e.minor) || !host::ParseUint(f[2], &e.value)) {
      return LineError(n, "expected \"MAJ:MIN OP VALUE\"", line);
    }
    e.op = std::string(f[1]);
    out.push_back(std::move(e));
    return OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

StatusOr<IoStat> ParseIoStatV2(std::string_view text) {
  IoStat out;
  Status s = ForEachLine(text, [&](int n, std::string_view line) -> Status {
    std::vector<std::string_view> f = Fields(line);
    uint32_t major = 0, minor = 0;
    if (f.empty() || !ParseDevice(f[0], &major, &minor))
      return LineError(n, "expected \"MAJ:MIN key=value ...\"", line);
    for (size_t i = 1; i < f.size(); ++i) {
      size_t eq = f[i].find('=');
      if (eq == std::string_view::npos) return LineError(n, "expected key=value", line);
      std::string_view key = f[i].substr(0, eq);
      // Other keys (dbytes, dios, iocost's "cost.vrate=135.89", ...) may
      // not be integers; only the ones used are checked.
      if (key != "rbytes" && key != "wbytes" && key != "rios" && key != "wios") continue;
      uint64_t v = 0;
      if (!host::ParseUint(f[i].substr(eq + 1), &v)) return LineError(n, "expected key=value", line);
      if (key == "rbytes") out.bytes.push_back({major, minor, "Read", v});
      if (key == "wbytes") out.bytes.push_back({major, minor, "Write", v});
      if (key == "rios") out.ios.push_back({major, minor, "Read", v});
      if (key == "wios") out.ios.push_back({major, minor, "Write", v});
    }
    return OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

std::vector<std::string> ParseControllers(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view f : Fields(host::TrimSpace(text))) out.emplace_back(f);
  return out;
}

}  // namespace cistern::plugins::container

#include "plugins/container/proc_parsers.h"

#include <optional>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::container {
namespace {

using host::Fields;
using host::Lines;

Status LineError(size_t index, std::string_view what, std::string_view line) {
  return InvalidArgumentError("line " + std::to_string(index + 1) + ": " + std::string(what) + ", got \"" +
                              std::string(line.substr(0, 80)) + "\"");
}

}  // namespace

StatusOr<std::vector<NetInterface>> ParseNetDev(std::string_view text) {
  std::vector<std::string_view> lines = Lines(text);
  if (lines.size() < 2 || lines[0].find('|') == std::string_view::npos) {
    return InvalidArgumentError("line 1: expected the two header lines of net/dev");
  }
  std::vector<NetInterface> out;
  for (size_t i = 2; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (Fields(line).empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return LineError(i, "expected \"name: counters\"", line);
    std::vector<std::string_view> name = Fields(line.substr(0, colon));
    std::vector<std::string_view> f = Fields(line.substr(colon + 1));
    uint64_t v[16];
    bool ok = name.size() == 1 && f.size() == 16;
    for (size_t k = 0; ok && k < 16; ++k) ok = host::ParseUint(f[k], &v[k]);
    if (!ok) return LineError(i, "expected an interface name and 16 counters", line);
    NetInterface n;
    n.name = std::string(name[0]);
    n.rx_bytes = v[0], n.rx_packets = v[1], n.rx_errors = v[2], n.rx_dropped = v[3];
    n.tx_bytes = v[8], n.tx_packets = v[9], n.tx_errors = v[10], n.tx_dropped = v[11];
    out.push_back(std::move(n));
  }
  return out;
}

bool IsIgnoredInterface(std::string_view name) {
  auto starts = [&](std::string_view prefix) {
    if (name.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  return starts("lo") || starts("veth") || starts("docker") || starts("nerdctl");
}

StatusOr<DeviceNames> ParsePartitions(std::string_view text) {
  DeviceNames out;
  std::vector<std::string_view> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string_view> f = Fields(lines[i]);
    if (f.empty() || (i == 0 && f[0] == "major")) continue;
    uint64_t major = 0, minor = 0, blocks = 0;
    if (f.size() != 4 || !host::ParseUint(f[0], &major) || !host::ParseUint(f[1], &minor) || !host::ParseUint(f[2], &blocks) ||
        major > UINT32_MAX || minor > UINT32_MAX) {
      return LineError(i, "expected \"major minor #blocks name\"", lines[i]);
    }
    out[{static_cast<uint32_t>(major), static_cast<uint32_t>(minor)}] = "/dev/" + std::string(f[3]);
  }
  return out;
}

StatusOr<uint64_t> ParseMeminfoSwapUsed(std::string_view text) {
  std::optional<uint64_t> total, free;
  std::vector<std::string_view> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string_view> f = Fields(lines[i]);
    if (f.empty() || (f[0] != "SwapTotal:" && f[0] != "SwapFree:")) continue;
    uint64_t v = 0;
    if (f.size() < 2 || !host::ParseUint(f[1], &v)) return LineError(i, "expected \"Key: N kB\"", lines[i]);
    (f[0] == "SwapTotal:" ? total : free) = v * 1024;
  }
  if (!total || !free) return InvalidArgumentError("no SwapTotal and SwapFree lines");
  return *total >= *free ? *total - *free : 0;
}

}  // namespace cistern::plugins::container

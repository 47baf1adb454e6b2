#include "plugins/container/container_naming.h"

#include <vector>

namespace cistern::plugins::container {
namespace {

std::vector<std::string_view> Components(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t start = i;
    while (i < path.size() && path[i] != '/') ++i;
    if (i > start) out.push_back(path.substr(start, i - start));
  }
  return out;
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string_view StripSuffix(std::string_view s, std::string_view suffix) {
  if (s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix)
    s.remove_suffix(suffix.size());
  return s;
}

bool ConsumePrefix(std::string_view* s, std::string_view prefix) {
  if (s->substr(0, prefix.size()) != prefix) return false;
  s->remove_prefix(prefix.size());
  return true;
}

// A pod UID as the path spells it: 8-4-4-4-12 hex digits separated by '-'
// (cgroupfs) or '_' (systemd escapes '-'). Returns it with dashes, or "".
std::string PodUid(std::string_view s) {
  if (s.size() != 36) return "";
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    bool sep = i == 8 || i == 13 || i == 18 || i == 23;
    if (sep) {
      if (c != '-' && c != '_') return "";
      out[i] = '-';
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return "";
    }
  }
  return out;
}

// "pod<uid>", "kubepods-pod<uid>.slice", "kubepods-burstable-pod<uid>.slice".
std::string PodUidOfComponent(std::string_view c) {
  c = StripSuffix(c, ".slice");
  if (ConsumePrefix(&c, "kubepods-")) {
    if (!ConsumePrefix(&c, "burstable-")) ConsumePrefix(&c, "besteffort-");
  }
  if (!ConsumePrefix(&c, "pod")) return "";
  return PodUid(c);
}

struct Prefix {
  std::string_view text;
  Runtime runtime;
};
// Systemd scopes (and cgroupfs names for cri-o and podman) that put the id
// after a runtime prefix. Helper scopes (crio-conmon-, libpod-conmon-) do not
// match: what follows their prefix is not an id.
constexpr Prefix kPrefixes[] = {
    {"cri-containerd-", Runtime::kContainerd},
    {"docker-", Runtime::kDocker},
    {"crio-", Runtime::kCrio},
    {"libpod-", Runtime::kPodman},
    {"nerdctl-", Runtime::kContainerd},
};

}  // namespace

CgroupIdentity IdentifyCgroup(std::string_view path) {
  CgroupIdentity id;
  std::vector<std::string_view> parts = Components(path);
  if (parts.empty()) return id;
  bool kube = false;
  for (std::string_view p : parts) {
    if (p.substr(0, 8) == "kubepods") kube = true;
  }
  if (kube) {
    for (std::string_view p : parts) {
      std::string uid = PodUidOfComponent(p);
      if (!uid.empty()) id.pod_uid = std::move(uid);
    }
  }
  std::string_view leaf = StripSuffix(parts.back(), ".scope");
  for (const Prefix& p : kPrefixes) {
    std::string_view rest = leaf;
    if (ConsumePrefix(&rest, p.text) && IsHex64(rest)) {
      id.runtime = p.runtime;
      id.container_id = std::string(rest);
      return id;
    }
  }
  if (IsHex64(leaf)) {
    std::string_view parent = parts.size() >= 2 ? parts[parts.size() - 2] : std::string_view();
    id.runtime = parent == "docker" ? Runtime::kDocker : Runtime::kUnknown;
    id.container_id = std::string(leaf);
  }
  return id;
}

std::string_view RuntimeName(Runtime runtime) {
  switch (runtime) {
    case Runtime::kDocker:
      return "docker";
    case Runtime::kContainerd:
      return "containerd";
    case Runtime::kCrio:
      return "cri-o";
    case Runtime::kPodman:
      return "podman";
    case Runtime::kNone:
    case Runtime::kUnknown:
      return "";
  }
  return "";
}

}  // namespace cistern::plugins::container

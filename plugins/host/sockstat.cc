#include "plugins/host/sockstat.h"

#include <unistd.h>

#include <array>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

class SockstatCollector : public Collector {
 public:
  SockstatCollector(const HostConfig& config, int64_t page_size) : config_(config), page_size_(page_size) {}

  Status Collect(Emitter& out) override {
    Status first;
    size_t missing = 0;
    for (const char* rel : {"net/sockstat", "net/sockstat6"}) {
      const bool v6 = std::string_view(rel).back() == '6';
      const std::string path = config_.Proc(rel);
      StatusOr<std::string> text = ReadProcFile(path);
      if (!text.ok()) {
        if (text.status().code() == StatusCode::kNotFound) {
          ++missing;  // that IP version is disabled
        } else if (first.ok()) {
          first = text.status();
        }
        continue;
      }
      SockstatFile file = ParseSockstat(*text);
      if (!v6 && file.sockets_used)
        out.Add("node_sockstat_sockets_used", static_cast<double>(*file.sockets_used));
      for (const SockstatProtocol& p : file.protocols) Emit(out, p);
      if (!file.error.ok() && first.ok()) first = file.error.Annotate(path);
    }
    if (missing == 2) {
      return NotFoundError("sockstat: no " + config_.Proc("net/sockstat") + " nor " +
                           config_.Proc("net/sockstat6"));
    }
    return first;
  }

 private:
  void Emit(Emitter& out, const SockstatProtocol& p) {
    const std::string prefix = "node_sockstat_" + p.name + "_";
    out.Add(prefix + "inuse", static_cast<double>(p.inuse));
    const std::array<std::pair<const char*, const std::optional<int64_t>*>, 5> optional = {{
        {"orphan", &p.orphan},
        {"tw", &p.tw},
        {"alloc", &p.alloc},
        {"mem", &p.mem},
        {"memory", &p.memory},
    }};
    for (const auto& [name, v] : optional) {
      if (v->has_value()) out.Add(prefix + name, static_cast<double>(**v));
    }
    if (p.mem) out.Add(prefix + "mem_bytes", static_cast<double>(*p.mem) * static_cast<double>(page_size_));
  }

  const HostConfig config_;
  const int64_t page_size_;
};

}  // namespace

SockstatFile ParseSockstat(std::string_view text) {
  SockstatFile out;
  size_t line_no = 0;
  auto bad = [&](const std::string& why) {
    if (out.error.ok()) out.error = DataLossError("line " + std::to_string(line_no) + ": " + why);
  };
  for (std::string_view line : Lines(text)) {
    ++line_no;
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) continue;
    if (f.size() < 3 || f[0].size() < 2 || f[0].back() != ':' || f.size() % 2 == 0) {
      bad("expected \"<PROTO>: <key> <value> ...\"");
      continue;
    }
    const std::string_view proto = f[0].substr(0, f[0].size() - 1);
    std::vector<std::pair<std::string_view, int64_t>> kvs;
    bool ok = true;
    for (size_t i = 1; i + 1 < f.size() && ok; i += 2) {
      int64_t v;
      ok = ParseInt(f[i + 1], &v);
      if (ok) {
        kvs.emplace_back(f[i], v);
      } else {
        bad(std::string(proto) + " " + std::string(f[i]) + ": not a number: \"" + std::string(f[i + 1]) +
            "\"");
      }
    }
    if (!ok) continue;
    if (proto == "sockets") {
      for (const auto& [k, v] : kvs) {
        if (k == "used") out.sockets_used = v;
      }
      continue;
    }
    SockstatProtocol p;
    p.name = std::string(proto);
    for (const auto& [k, v] : kvs) {
      if (k == "inuse") p.inuse = v;
      if (k == "orphan") p.orphan = v;
      if (k == "tw") p.tw = v;
      if (k == "alloc") p.alloc = v;
      if (k == "mem") p.mem = v;
      if (k == "memory") p.memory = v;
    }
    out.protocols.push_back(std::move(p));
  }
  return out;
}

std::unique_ptr<Collector> NewSockstatCollector(const HostConfig& config) {
  return NewSockstatCollector(config, static_cast<int64_t>(::sysconf(_SC_PAGESIZE)));
}

std::unique_ptr<Collector> NewSockstatCollector(const HostConfig& config, int64_t page_size) {
  return std::make_unique<SockstatCollector>(config, page_size);
}

}  // namespace cistern::plugins::host

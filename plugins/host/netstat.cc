#include "plugins/host/netstat.h"

#include <re2/re2.h>

#include <map>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

class NetstatCollector : public Collector {
 public:
  explicit NetstatCollector(const HostConfig& config)
      : config_(config), fields_(re2::StringPiece(kNetstatFields.data(), kNetstatFields.size())) {}

  Status Collect(Emitter& out) override {
    std::map<std::string, double, std::less<>> values;  // the files' protocols do not overlap
    Status first;
    size_t missing = 0;
    struct Source {
      const char* rel;
      NetstatFile (*parse)(std::string_view);
      bool optional;  // snmp6: absent without IPv6
    };
    for (const Source& s : {Source{"net/netstat", ParseNetstat, false},
                            Source{"net/snmp", ParseNetstat, false}, Source{"net/snmp6", ParseSnmp6, true}}) {
      const std::string path = config_.Proc(s.rel);
      StatusOr<std::string> text = ReadProcFile(path);
      if (!text.ok()) {
        bool not_found = text.status().code() == StatusCode::kNotFound;
        missing += not_found && !s.optional;
        if (!(not_found && s.optional) && first.ok()) first = text.status();
        continue;
      }
      NetstatFile file = s.parse(*text);
      for (auto& [k, v] : file.values) values.insert_or_assign(std::move(k), v);
      if (!file.error.ok() && first.ok()) first = file.error.Annotate(path);
    }
    for (const auto& [key, value] : values) {
      if (RE2::PartialMatch(key, fields_)) out.Add("node_netstat_" + key, value);
    }
    if (missing == 2) {
      return NotFoundError("netstat: no " + config_.Proc("net/netstat") + " nor " + config_.Proc("net/snmp"));
    }
    // Some sources were there and emitted: a missing one fails the collection (NotFound means "none here").
    if (first.code() == StatusCode::kNotFound) return FailedPreconditionError(first.message());
    return first;
  }

 private:
  const HostConfig config_;
  const RE2 fields_;
};

}  // namespace

NetstatFile ParseNetstat(std::string_view text) {
  NetstatFile out;
  auto bad = [&](size_t line_no, const std::string& why) {
    if (out.error.ok()) out.error = DataLossError("line " + std::to_string(line_no) + ": " + why);
  };
  std::vector<std::string_view> lines = Lines(text);
  size_t i = 0;
  while (i < lines.size()) {
    std::vector<std::string_view> names = Fields(lines[i]);
    if (names.empty()) {
      ++i;
      continue;
    }
    const std::string_view proto = names[0];
    if (proto.size() < 2 || proto.back() != ':') {
      bad(i + 1, "expected \"<Protocol>: <fields>\"");
      ++i;
      continue;
    }
    double ignored;
    if (names.size() > 1 && ParseFloat(names[1], &ignored)) {
      bad(i + 1, "values of " + std::string(proto) + " without a header line");
      ++i;
      continue;
    }
    if (i + 1 >= lines.size()) {
      bad(i + 1, std::string(proto) + " header without a value line");
      break;
    }
    std::vector<std::string_view> values = Fields(lines[i + 1]);
    if (values.empty() || values[0] != proto) {
      bad(i + 2, "expected the values of " + std::string(proto));
      ++i;  // resynchronize on the next line
      continue;
    }
    if (values.size() != names.size()) {
      bad(i + 2, std::string(proto) + " " + std::to_string(names.size() - 1) + " fields but " +
                     std::to_string(values.size() - 1) + " values");
      i += 2;
      continue;
    }
    const std::string prefix = std::string(proto.substr(0, proto.size() - 1)) + "_";
    for (size_t j = 1; j < names.size(); ++j) {
      double v;
      if (!ParseFloat(values[j], &v)) {
        bad(i + 2, prefix + std::string(names[j]) + ": not a number: \"" + std::string(values[j]) + "\"");
        continue;
      }
      out.values.emplace_back(prefix + std::string(names[j]), v);
    }
    i += 2;
  }
  return out;
}

NetstatFile ParseSnmp6(std::string_view text) {
  NetstatFile out;
  size_t line_no = 0;
  for (std::string_view line : Lines(text)) {
    ++line_no;
    std::vector<std::string_view> f = Fields(line);
    if (f.size() < 2) continue;
    size_t six = f[0].find('6');
    if (six == std::string_view::npos || six + 1 == f[0].size()) continue;
    double v;
    if (!ParseFloat(f[1], &v)) {
      if (out.error.ok()) {
        out.error = DataLossError("line " + std::to_string(line_no) + ": " + std::string(f[0]) +
                                  ": not a number: \"" + std::string(f[1]) + "\"");
      }
      continue;
    }
    out.values.emplace_back(std::string(f[0].substr(0, six + 1)) + "_" + std::string(f[0].substr(six + 1)),
                            v);
  }
  return out;
}

std::unique_ptr<Collector> NewNetstatCollector(const HostConfig& config) {
  return std::make_unique<NetstatCollector>(config);
}

}  // namespace cistern::plugins::host

#include "plugins/host/vmstat.h"

#include <re2/re2.h>

#include <string>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {

StatusOr<std::vector<std::pair<std::string_view, double>>> ParseVmstat(std::string_view text) {
  std::vector<std::pair<std::string_view, double>> out;
  size_t line_no = 0;
  for (std::string_view line : Lines(text)) {
    ++line_no;
    std::vector<std::string_view> f = Fields(line);
    if (f.size() < 2) continue;
    double v = 0;
    if (!ParseFloat(f[1], &v)) {
      return InvalidArgumentError("line " + std::to_string(line_no) + ": " + std::string(f[0]) +
                                  ": cannot parse \"" + std::string(f[1]) + "\"");
    }
    out.emplace_back(f[0], v);
  }
  return out;
}

namespace {

class VmstatCollector : public Collector {
 public:
  explicit VmstatCollector(const HostConfig& config)
      : path_(config.Proc("vmstat")), fields_(re2::StringPiece(kVmstatFields.data(), kVmstatFields.size())) {}

  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(std::string text, ReadProcFile(path_));
    auto fields = ParseVmstat(text);
    if (!fields.ok()) return fields.status().Annotate(path_);
    for (const auto& [name, v] : *fields) {
      // Go's MatchString: unanchored, like RE2's PartialMatch.
      if (!RE2::PartialMatch(re2::StringPiece(name.data(), name.size()), fields_)) continue;
      out.Add("node_vmstat_" + std::string(name), v);
    }
    return OkStatus();
  }

 private:
  std::string path_;
  RE2 fields_;
};

}  // namespace

std::unique_ptr<Collector> NewVmstatCollector(const HostConfig& config) {
  return std::make_unique<VmstatCollector>(config);
}

}  // namespace cistern::plugins::host

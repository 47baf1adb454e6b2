#include "plugins/host/filefd.h"

#include <string>
#include <vector>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {

StatusOr<FileNr> ParseFileNr(std::string_view text) {
  std::vector<std::string_view> f = Fields(text);
  if (f.size() < 3)
    return InvalidArgumentError("expected three numbers, got \"" + std::string(TrimSpace(text)) + "\"");
  FileNr out;
  if (!ParseFloat(f[0], &out.allocated))
    return InvalidArgumentError("cannot parse \"" + std::string(f[0]) + "\"");
  if (!ParseFloat(f[2], &out.maximum))
    return InvalidArgumentError("cannot parse \"" + std::string(f[2]) + "\"");
  return out;
}

namespace {

class FilefdCollector : public Collector {
 public:
  explicit FilefdCollector(const HostConfig& config) : path_(config.Proc("sys/fs/file-nr")) {}

  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(std::string text, ReadProcFile(path_));
    auto nr = ParseFileNr(text);
    if (!nr.ok()) return nr.status().Annotate(path_);
    out.Add("node_filefd_allocated", nr->allocated);
    out.Add("node_filefd_maximum", nr->maximum);
    return OkStatus();
  }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<Collector> NewFilefdCollector(const HostConfig& config) {
  return std::make_unique<FilefdCollector>(config);
}

}  // namespace cistern::plugins::host

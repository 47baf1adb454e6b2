#include <sys/utsname.h>

#include <cerrno>

#include "agent/base/file_util.h"
#include "plugins/host/proc_text.h"
#include "plugins/host/uname.h"

namespace cistern::plugins::host {

StatusOr<UnameInfo> UnameSyscall() {
  struct utsname u;
  if (::uname(&u) != 0) return UnavailableError("uname: " + ErrnoMessage(errno));
  UnameInfo out;
  out.sysname = u.sysname;
  out.release = u.release;
  out.version = u.version;
  out.machine = u.machine;
  out.nodename = u.nodename;
  out.domainname = u.domainname;
  return out;
}

UnameInfo UnameFromProc(const HostConfig& config, UnameInfo base) {
  const std::pair<const char*, std::string*> files[] = {
      {"sys/kernel/ostype", &base.sysname},        {"sys/kernel/osrelease", &base.release},
      {"sys/kernel/version", &base.version},       {"sys/kernel/hostname", &base.nodename},
      {"sys/kernel/domainname", &base.domainname},
  };
  for (const auto& [rel, field] : files) {
    auto text = ReadProcFile(config.Proc(rel));
    if (text.ok()) *field = std::string(TrimSpace(*text));
  }
  return base;
}

namespace {

class UnameCollector : public Collector {
 public:
  explicit UnameCollector(const HostConfig& config)
      : config_(config), host_proc_(HostConfig::Join(config.proc, "") != "/proc/") {}

  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(UnameInfo u, UnameSyscall());
    if (host_proc_) u = UnameFromProc(config_, std::move(u));
    out.Add("node_uname_info",
            {{"sysname", u.sysname},
             {"release", u.release},
             {"version", u.version},
             {"machine", u.machine},
             {"nodename", u.nodename},
             {"domainname", u.domainname}},
            1);
    return OkStatus();
  }

 private:
  HostConfig config_;
  bool host_proc_;
};

}  // namespace

std::unique_ptr<Collector> NewUnameCollector(const HostConfig& config) {
  return std::make_unique<UnameCollector>(config);
}

}  // namespace cistern::plugins::host

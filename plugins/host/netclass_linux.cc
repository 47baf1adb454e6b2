#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "agent/base/file_util.h"
#include "plugins/host/netclass.h"
#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

// The errors procfs' parseNetClassIface skips an attribute for.
bool Refused(int err) {
  return err == ENOENT || err == ENOTDIR || err == EACCES || err == EPERM || err == EINVAL ||
         err == EOPNOTSUPP;
}

}  // namespace

StatusOr<std::vector<std::string>> ListNetClassDevices(const std::string& dir) {
  CISTERN_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir));
  std::vector<std::string> out;
  out.reserve(names.size());
  for (std::string& name : names) {
    struct stat st;
    // Devices are symlinks (directories in a copied tree); bonding_masters is a file.
    if (::fstatat(AT_FDCWD, (dir + "/" + name).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone
    if (!S_ISREG(st.st_mode)) out.push_back(std::move(name));
  }
  return out;
}

StatusOr<std::optional<std::string>> ReadNetClassAttribute(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (Refused(err)) return std::optional<std::string>();
    return UnavailableError("read " + path + ": " + ErrnoMessage(err));
  }
  // One read of at most 128 bytes, as procfs' SysReadFile (some drivers
  // misbehave on a second read).
  char buf[128];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  int err = errno;
  ::close(fd);
  if (n < 0) {
    if (Refused(err)) return std::optional<std::string>();
    return UnavailableError("read " + path + ": " + ErrnoMessage(err));
  }
  return std::optional<std::string>(TrimSpace(std::string_view(buf, static_cast<size_t>(n))));
}

}  // namespace cistern::plugins::host

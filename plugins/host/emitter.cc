#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "agent/base/file_util.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

std::string HostConfig::Join(std::string_view dir, std::string_view rel) {
  std::string out(dir);
  while (!out.empty() && out.back() == '/') out.pop_back();
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  out += '/';
  out += rel;
  return out;
}

void Emitter::Append(std::vector<model::Label> labels, double value) {
  auto ref = appender_->Append(0, model::Labels::FromUnsorted(std::move(labels)), ts_, value);
  if (ref.ok()) {
    ++samples_;
  } else if (status_.ok()) {
    status_ = ref.status();
  }
}

void Emitter::Add(std::string_view name, LabelList labels, double value) {
  std::vector<model::Label> l;
  l.reserve(labels.size() + 1);
  l.push_back({std::string(model::kMetricName), std::string(name)});
  for (const auto& [k, v] : labels) {
    if (!v.empty()) l.push_back({std::string(k), std::string(v)});
  }
  Append(std::move(l), value);
}

void Emitter::Add(std::string_view name, const std::vector<std::pair<std::string, std::string>>& labels,
                  double value) {
  std::vector<model::Label> l;
  l.reserve(labels.size() + 1);
  l.push_back({std::string(model::kMetricName), std::string(name)});
  for (const auto& [k, v] : labels) {
    if (!v.empty()) l.push_back({k, v});
  }
  Append(std::move(l), value);
}

StatusOr<std::string> ReadProcFile(const std::string& path) {
  // /proc and /sys files report size 0: read until EOF.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return NotFoundError("read " + path + ": " + ErrnoMessage(err));
    return UnavailableError("read " + path + ": " + ErrnoMessage(err));
  }
  std::string out;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return UnavailableError("read " + path + ": " + ErrnoMessage(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (16u << 20)) break;
  }
  ::close(fd);
  return out;
}

}  // namespace cistern::plugins::host

// The socket half of docker_client.h: a blocking GET over a unix socket,
// every step bounded by one deadline (non-blocking socket + poll).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "agent/base/file_util.h"
#include "plugins/container/docker_client.h"

namespace cistern::plugins::container {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

using Clock = std::chrono::steady_clock;

// Waits for `events` on fd until the deadline.
Status Wait(int fd, short events, Clock::time_point deadline, const std::string& where) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return DeadlineExceededError(where + ": timed out");
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return OkStatus();
    if (n == 0) return DeadlineExceededError(where + ": timed out");
    if (errno != EINTR) return UnavailableError(where + ": poll: " + ErrnoMessage(errno));
  }
}

}  // namespace

StatusOr<HttpResponse> DockerGet(const std::string& socket_path, std::string_view target, Duration timeout) {
  const std::string where = "docker api " + socket_path;
  auto deadline = Clock::now() + timeout;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path)
    return InvalidArgumentError(where + ": socket path too long");
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return UnavailableError(where + ": socket: " + ErrnoMessage(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR) {
      return NotFoundError(where + ": connect: " + ErrnoMessage(err));
    }
    if (err != EINPROGRESS && err != EAGAIN)
      return UnavailableError(where + ": connect: " + ErrnoMessage(err));
    CISTERN_RETURN_IF_ERROR(Wait(fd.get(), POLLOUT, deadline, where));
    int so = 0;
    socklen_t len = sizeof so;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so, &len);
    if (so != 0) return UnavailableError(where + ": connect: " + ErrnoMessage(so));
  }
  std::string request =
      "GET " + std::string(target) + " HTTP/1.0\r\nHost: docker\r\nUser-Agent: cistern\r\n\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      CISTERN_RETURN_IF_ERROR(Wait(fd.get(), POLLOUT, deadline, where));
      continue;
    }
    return UnavailableError(where + ": send: " + ErrnoMessage(errno));
  }
  std::string raw;
  char buf[16384];
  while (true) {
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n > 0) {
      raw.append(buf, static_cast<size_t>(n));
      if (raw.size() > (8u << 20)) return InvalidArgumentError(where + ": response over 8 MiB");
      continue;
    }
    if (n == 0) break;  // HTTP/1.0: the server closes after the response
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      CISTERN_RETURN_IF_ERROR(Wait(fd.get(), POLLIN, deadline, where));
      continue;
    }
    return UnavailableError(where + ": recv: " + ErrnoMessage(errno));
  }
  auto response = ParseHttpResponse(raw);
  if (!response.ok()) return response.status().Annotate(where);
  return response;
}

}  // namespace cistern::plugins::container
